#pragma once
// Starting and telling apart the cores of an aarch64 machine. A platform with more than one
// core uses these for its SMP part (max_cores, core_id, start_core, wake_core):
//   core_id()        MPIDR_EL1.Aff0 (Arm ARM D17.2.101); the cores of qemu-virt (up to 8,
//                    one cluster with GICv2) and of the BCM2837 are numbered 0..n-1 there.
//   SecondaryBoot    what a starting core hands to src/arch/aarch64/secondary.S: stack, entry
//                    and this core's MMU, vector and thread-pointer set-up, so every core
//                    shares one set of translation tables.
//   psci_cpu_on()    the PSCI call that starts a core on qemu-virt.
// Cost: nothing in an image that starts no other core.

#include <cstddef>
#include <cstdint>

#include "tessera/arch/aarch64/runtime.hpp"
#include "tessera/result.hpp"

extern "C" void tessera_secondary_entry();  // src/arch/aarch64/secondary.S

namespace tessera::arch::aarch64 {

inline unsigned core_id() {
  std::uint64_t mpidr;
  asm("mrs %0, mpidr_el1" : "=r"(mpidr));
  return static_cast<unsigned>(mpidr & 0xff);
}

// The layout secondary.S reads (its BOOT_* offsets).
struct SecondaryBoot {
  std::uint64_t stack_top;
  std::uint64_t entry;  // void (*)(unsigned core)
  std::uint64_t core;
  std::uint64_t ttbr0, mair, tcr, sctlr, tpidr, vbar;
  std::uint64_t started;  // set by the new core once it no longer reads this record
};
static_assert(offsetof(SecondaryBoot, started) == 72, "secondary.S reads SecondaryBoot by offset");

// Fills `boot` from this core's registers and writes it to the point of coherency: the new
// core reads it with its MMU and caches off (Arm ARM D7.5.9, DC CVAC).
inline void prepare_secondary_boot(SecondaryBoot& boot, unsigned core, void* stack_top, void (*entry)(unsigned)) {
  boot.stack_top = reinterpret_cast<std::uint64_t>(stack_top);
  boot.entry = reinterpret_cast<std::uint64_t>(entry);
  boot.core = core;
  asm volatile("mrs %0, ttbr0_el1" : "=r"(boot.ttbr0));
  asm volatile("mrs %0, mair_el1" : "=r"(boot.mair));
  asm volatile("mrs %0, tcr_el1" : "=r"(boot.tcr));
  asm volatile("mrs %0, sctlr_el1" : "=r"(boot.sctlr));
  asm volatile("mrs %0, tpidr_el0" : "=r"(boot.tpidr));
  asm volatile("mrs %0, vbar_el1" : "=r"(boot.vbar));
  boot.started = 0;
  for (auto p = reinterpret_cast<std::uintptr_t>(&boot) & ~std::uintptr_t{63};
       p < reinterpret_cast<std::uintptr_t>(&boot + 1); p += 64)
    asm volatile("dc cvac, %0" ::"r"(p) : "memory");
  asm volatile("dsb sy" ::: "memory");
}

// Arm Power State Coordination Interface (DEN 0022D) §5.1.4 CPU_ON, SMC64 function id, and
// §5.2.2 return codes.
inline constexpr std::uint64_t PSCI_CPU_ON = 0xC400'0003;
inline constexpr std::int64_t PSCI_SUCCESS = 0, PSCI_INVALID_PARAMETERS = -2, PSCI_ALREADY_ON = -4,
                              PSCI_ON_PENDING = -5;

// SMC Calling Convention (DEN 0028) v1.0 §5.1: x4–x17 may be corrupted by the call.
#define TESSERA_SMCCC_CLOBBERS \
  "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory"

// Starts core `mpidr` at `entry` with x0 = context (the conduit as for SYSTEM_OFF: SMC when
// QEMU emulates EL2, HVC otherwise).
inline std::int64_t psci_cpu_on(std::uint64_t mpidr, void (*entry)(), std::uint64_t context) {
  register std::uint64_t x0 asm("x0") = PSCI_CPU_ON;
  register std::uint64_t x1 asm("x1") = mpidr;
  register std::uint64_t x2 asm("x2") = reinterpret_cast<std::uint64_t>(entry);
  register std::uint64_t x3 asm("x3") = context;
  if (tessera_boot_el >= 2)
    asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::TESSERA_SMCCC_CLOBBERS);
  else
    asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::TESSERA_SMCCC_CLOBBERS);
  return static_cast<std::int64_t>(x0);
}

}  // namespace tessera::arch::aarch64
