#pragma once
// What the aarch64 start-up code in src/arch/aarch64/ provides to headers.

#include <cstddef>
#include <cstdint>

extern "C" {
// Exception level the CPU was in at reset (1, 2); start.S drops to EL1 either way.
extern std::uint8_t tessera_boot_el;
// Runs a semihosting operation. Returns -1 when the host has no semihosting (QEMU without
// -semihosting): the trap handler turns the undefined HLT into that result.
long tessera_semihost_call(unsigned long operation, const void* parameter);
// Calls every C++ global constructor (.init_array), once.
void tessera_run_constructors();
// First byte after the image, its .bss and its boot stack (linker script).
extern std::byte __tessera_heap_start[];
}
