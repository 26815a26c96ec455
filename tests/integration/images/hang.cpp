// An image that never finishes: the runner must stop it at its timeout and show the last
// console lines.

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int hang_main() {
  std::printf("spinning forever\n");
  for (;;) {
    asm volatile("");  // an infinite loop with a side effect the compiler must keep
  }
}

TESSERA_MAIN(App, hang_main)
