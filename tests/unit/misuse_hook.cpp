// The unit tests' definition of tessera_allocator_misuse (images get src/alloc/misuse.cpp).

#include "misuse.hpp"

#include "tessera/alloc/misuse.hpp"

extern "C" void tessera_allocator_misuse(const char* allocator, const char* operation, const void* address,
                                         const char* problem) {
  throw tessera::test::MisuseDetected{allocator, operation, problem, address};
}
