// What the C++ standard library costs in an image (./tessera bench size): hello's kernel
// (tessera::configured_kernel) printing one line, plus one use of the standard library picked
// by TESSERA_SIZE_CASE:
//   0 nothing more (the baseline of the others)
//   1 std::vector<int>: push_back and std::sort
//   2 std::string, std::map and std::unordered_map
//   3 C++ exceptions (built with the exceptions-on runtime): throw and catch std::runtime_error
// Each runs and exits 0, so a size is never that of an image that does not work.

#include <cstdio>

#include <tessera/configured.hpp>
#include <tessera/tessera.hpp>

#if TESSERA_SIZE_CASE == 1
#include <algorithm>
#include <vector>
#elif TESSERA_SIZE_CASE == 2
#include <map>
#include <string>
#include <unordered_map>
#elif TESSERA_SIZE_CASE == 3
#include <stdexcept>
#endif

using App = tessera::configured_kernel;

namespace {

volatile int seed = 7;  // volatile: the work is done at run time

int size_main() {
  std::printf("Hello from tessera\n");
  int result = 0;
#if TESSERA_SIZE_CASE == 1
  std::vector<int> numbers;
  for (int i = 0; i < 100; ++i) numbers.push_back((i * seed) % 101);
  std::sort(numbers.begin(), numbers.end());
  result = numbers.front() + numbers.back();  // 0 + 100
  std::printf("vector: %d\n", result);
  result -= 100;
#elif TESSERA_SIZE_CASE == 2
  std::map<std::string, int> ordered;
  std::unordered_map<std::string, int> hashed;
  for (int i = 0; i < 50; ++i) {
    std::string key = "key-" + std::to_string(i * seed);
    ordered[key] = i;
    hashed[key] = i;
  }
  result = ordered.size() == 50 && hashed.at("key-7") == 1 ? 0 : 1;
  std::printf("map and unordered_map: %zu %zu\n", ordered.size(), hashed.size());
#elif TESSERA_SIZE_CASE == 3
  try {
    if (seed == 7) throw std::runtime_error("caught");
  } catch (const std::runtime_error& error) {
    std::printf("exception: %s\n", error.what());
  }
#endif
  return result;
}

}  // namespace

TESSERA_MAIN(App, size_main)
