// The benchmark runs allocators with .debug off, which never report misuse; this definition
// only satisfies the link (images get theirs from src/alloc/misuse.cpp).

#include <cstdio>
#include <cstdlib>

#include "tessera/alloc/misuse.hpp"

extern "C" void tessera_allocator_misuse(const char* allocator, const char* operation, const void* address,
                                         const char* problem) {
  std::fprintf(stderr, "alloc-bench: allocator misuse: %s: %s(%p): %s\n", allocator, operation, address, problem);
  std::abort();
}
