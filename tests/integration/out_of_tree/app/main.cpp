// An application with its own kernel type, built outside tessera's tree (out_of_tree_test.py).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

int app_main() {
  std::vector<std::string> words{"tessera", "out", "of", "tree"};
  std::sort(words.begin(), words.end());
  std::printf("out-of-tree app on %s: %s %s %s %s\n", App::component_names[4], words[0].c_str(), words[1].c_str(),
              words[2].c_str(), words[3].c_str());
  return 0;
}

TESSERA_MAIN(App, app_main)
