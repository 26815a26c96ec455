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

  // The virtual timer as a deadline timer (api::DeadlineTimer): its interrupt is PPI 27 (Arm
  // Server Base System Architecture and the GIC's PPI assignments; QEMU hw/arm/virt.c
  // ARCH_TIMER_VIRT_IRQ = 11, i.e. interrupt ID 16 + 11). CNTV_CTL_EL0 (Arm ARM D13.8.16):
  // ENABLE bit 0, IMASK bit 1; the line is high while ENABLE, !IMASK and now() >= CNTV_CVAL_EL0.
  static constexpr std::uint32_t irq = 27;
  static void arm(std::uint64_t deadline) {
    asm volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(deadline), "r"(std::uint64_t{1}));
  }
  static void disarm() { asm volatile("msr cntv_ctl_el0, %0\n\tisb" ::"r"(std::uint64_t{0})); }

  // Waits in low power until now() >= deadline. With an interrupt controller that passes the
  // timer's interrupt (Controller::enable(irq) done), wfi: the pending interrupt wakes the core
  // even with interrupts masked (PSTATE.I; Arm ARM D1.16.2 "wake-up events"), no handler runs,
  // and disarm() lowers the line again. Without one, wfe woken by the counter's event stream
  // (CNTKCTL_EL1.EVNTEN, §D11.2.3: an event each time counter bit EVNTI flips; bit 9 at
  // 62.5 MHz is every 8 µs).
  static void wait_until(std::uint64_t deadline) {
    std::uint64_t daif;
    asm volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(daif)::"memory");  // I masked: no handler runs
    while (now() < deadline) {
      arm(deadline);
      asm volatile("dsb sy\n\twfi" ::: "memory");
    }
    disarm();
    asm volatile("msr daif, %0" ::"r"(daif) : "memory");
  }
  static void wait_until_event_stream(std::uint64_t deadline) {
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
