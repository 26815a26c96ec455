#pragma once
// In unit tests an allocator's misuse report (debug option on) throws this instead of ending
// the process, so a test can assert that double frees and foreign pointers are detected.

#include <string>

namespace tessera::test {

struct MisuseDetected {
  std::string allocator, operation, problem;
  const void* address;
};

}  // namespace tessera::test
