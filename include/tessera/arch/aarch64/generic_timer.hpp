#pragma once
// arch::aarch64::GenericTimer — the Armv8-A generic timer's virtual counter as the clock.
// Cost: one isb and one mrs per now(). Arm ARM (DDI 0487) §D11 "The Generic Timer".

#include <cstdint>

namespace tessera::arch::aarch64 {

struct GenericTimer {
  static std::uint64_t now() {
    std::uint64_t ticks;
    asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(ticks));  // isb: no reading ahead of program order
    return ticks;
  }
  static std::uint64_t frequency() {
    std::uint64_t hz;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
  }
};

}  // namespace tessera::arch::aarch64
