// Runs inside QEMU: the C++ standard headers that wrap C headers (<cstdlib>, <cmath>, <cstdio>,
// <cstring>, <cassert>, and <algorithm>, which includes some) compile against picolibc and work. libstdc++'s wrappers
// #include_next the C header; meson.build orders the header directories so that this finds
// picolibc's, not the cross compiler's glibc headers (src/libc/cxx-shim fills the rest).

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirtAarch64>;

namespace {

int run() {
  std::array<int, 8> values{5, -3, 9, 0, -7, 2, 2, 11};
  std::sort(values.begin(), values.end());
  CHECK(std::is_sorted(values.begin(), values.end()) && values.front() == -7 && values.back() == 11);
  CHECK(std::accumulate(values.begin(), values.end(), 0) == 19);
  CHECK(*std::max_element(values.begin(), values.end(), [](int a, int b) { return std::abs(a) < std::abs(b); }) == 11);
  CHECK(std::abs(-42) == 42 && std::labs(-7L) == 7);
  CHECK(std::strtol("-1234", nullptr, 10) == -1234 && std::atoi("77") == 77);
  volatile double two = 2.0;  // volatile: computed at run time, by picolibc's libm
  CHECK(std::fabs(std::sqrt(two) - 1.41421356) < 1e-6);
  CHECK(std::lround(std::pow(two, 10.0)) == 1024);
  std::optional<std::string_view> word = std::string_view{"tessera"};
  CHECK(word && word->size() == 7 && std::span{values}.subspan(2, 3).size() == 3);
  CHECK(std::numeric_limits<std::int64_t>::max() == INT64_MAX);
  // qsort and malloc from <cstdlib>: picolibc's qsort, the kernel's allocator.
  int* heap = static_cast<int*>(std::malloc(4 * sizeof(int)));
  CHECK(heap != nullptr);
  if (heap != nullptr) {
    int raw[4] = {3, 1, 4, 1};
    std::memcpy(heap, raw, sizeof raw);
    std::qsort(heap, 4, sizeof(int), [](const void* a, const void* b) {
      return *static_cast<const int*>(a) - *static_cast<const int*>(b);
    });
    CHECK(heap[0] == 1 && heap[1] == 1 && heap[2] == 3 && heap[3] == 4);
    std::free(heap);
  }
  char line[48];
  const int written = std::snprintf(line, sizeof line, "%s=%d %05u %x|%-4s|", "answer", 42, 7u, 0xbeefu, "ab");
  CHECK(written == 26 && std::strcmp(line, "answer=42 00007 beef|ab  |") == 0);
  volatile std::size_t eight = 8;  // volatile: the truncation is the point, not a compile-time warning
  CHECK(std::snprintf(line, eight, "%s", "truncated text") == 14 && std::strcmp(line, "truncat") == 0);
  assert(written == 26);  // a passing assert does nothing (integration/cxx-runtime/fatal-assert: a failing one)
  CHECK(App::alloc().stats().bytes_in_use == 0);
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
