#pragma once
// Ending the machine on aarch64: semihosting SYS_EXIT carries an exit status to the host
// (QEMU's process exit code); without semihosting, PSCI SYSTEM_OFF powers off (status lost).

#include <cstdint>

#include "tessera/arch/aarch64/runtime.hpp"

namespace tessera::arch::aarch64 {

// Arm semihosting specification v3 §6.5 SYS_EXIT, and §6.5.2 reason code.
inline constexpr unsigned long SYS_EXIT = 0x18;
inline constexpr std::uint64_t ADP_Stopped_ApplicationExit = 0x20026;
// Arm Power State Coordination Interface (DEN 0022D) §5.1: SYSTEM_OFF function id.
inline constexpr std::uint64_t PSCI_SYSTEM_OFF = 0x8400'0008;

// Returns only if the host has no semihosting.
inline void semihosting_exit(int status) {
  const std::uint64_t block[2] = {ADP_Stopped_ApplicationExit, static_cast<std::uint64_t>(status)};
  (void)tessera_semihost_call(SYS_EXIT, block);
}

[[noreturn]] inline void psci_system_off() {
  // The conduit is SMC when QEMU emulates EL2 (we started there), HVC otherwise.
  register std::uint64_t x0 asm("x0") = PSCI_SYSTEM_OFF;
  if (tessera_boot_el >= 2)
    asm volatile("smc #0" : "+r"(x0)::"memory");
  else
    asm volatile("hvc #0" : "+r"(x0)::"memory");
  for (;;) asm volatile("wfi");
}

}  // namespace tessera::arch::aarch64
