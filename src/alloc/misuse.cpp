// Allocator misuse reports for images (see include/tessera/alloc/misuse.hpp): one line on the
// console naming the allocator, the operation, the address and the problem, then the
// machine exits with tessera::exit_status_fault.

#include "tessera/alloc/misuse.hpp"

#include <cstdint>

#include "tessera/kernel.hpp"
#include "tessera/lib/format.hpp"

extern "C" {
void tessera_console_write(const char* text, unsigned long length);  // TESSERA_MAIN
[[noreturn]] void tessera_exit(int status);                          // TESSERA_MAIN
}

namespace {
void print(const char* text) { tessera_console_write(text, tessera::lib::length(text)); }
}  // namespace

extern "C" void tessera_allocator_misuse(const char* allocator, const char* operation, const void* address,
                                         const char* problem) {
  char hex[16];
  print("tessera: allocator misuse: ");
  print(allocator);
  print(": ");
  print(operation);
  print("(0x");
  tessera_console_write(hex, tessera::lib::format_hex(hex, reinterpret_cast<std::uintptr_t>(address)));
  print("): ");
  print(problem);
  print("\n");
  tessera_exit(tessera::exit_status_fault);
}
