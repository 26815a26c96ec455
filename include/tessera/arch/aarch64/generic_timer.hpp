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

  // Waits in low power until now() >= deadline, without interrupts: wfe, woken by the
  // counter's event stream (CNTKCTL_EL1.EVNTEN, Arm ARM §D11.2.3: an event each time counter
  // bit EVNTI flips; bit 9 at 62.5 MHz is every 8 µs, so a wait overshoots by at most that).
  // wfi would sleep better but needs the timer's interrupt routed through the interrupt
  // controller, which no platform part sets up yet. Under QEMU, wfe only yields the vCPU.
  static void wait_until(std::uint64_t deadline) {
    constexpr std::uint64_t evnten = 1u << 2, evnti_bit9 = 9u << 4;
    std::uint64_t control;
    asm volatile("mrs %0, cntkctl_el1" : "=r"(control));
    if ((control & (evnten | 0xf0)) != (evnten | evnti_bit9)) {
      control = (control & ~std::uint64_t{0xfc}) | evnten | evnti_bit9;  // EVNTDIR (bit 3) 0: on 0 to 1
      asm volatile("msr cntkctl_el1, %0\n\tisb" ::"r"(control));
    }
    while (now() < deadline) asm volatile("wfe" ::: "memory");
  }
};

}  // namespace tessera::arch::aarch64
