#pragma once
// A tiny TAP-style checker for test images that run inside QEMU (no doctest there: no
// exceptions, no hosted C++ library). Each CHECK prints "ok"/"not ok"; the image's exit
// status is the number of failures, which reaches meson through semihosting.

#include <cstdio>

namespace tessera::test {

inline int failures = 0;

inline void check(bool passed, const char* what, const char* file, int line) {
  if (passed) {
    std::printf("ok - %s\n", what);
  } else {
    ++failures;
    std::printf("not ok - %s (%s:%d)\n", what, file, line);
  }
}

}  // namespace tessera::test

#define CHECK(...) ::tessera::test::check(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__, __FILE__, __LINE__)
