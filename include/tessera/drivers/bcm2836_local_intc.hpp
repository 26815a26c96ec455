#pragma once
// drivers::Bcm2836LocalIntc<{.base}> — the BCM2836/BCM2837 "ARM local" interrupt block: per
// core, which of its own sources (the four generic-timer outputs, four mailboxes, the GPU's
// interrupt, the PMU, the local timer) raise its IRQ. The Raspberry Pi 3's interrupt
// controller for the generic timer (sched::Preemptive, idle_until) and for waking cores.
// Interrupt numbers are the source bits of the core's IRQ source register (§4.10):
//   0 CNTPSIRQ, 1 CNTPNSIRQ, 2 CNTHPIRQ, 3 CNTVIRQ (generic timer), 4-7 mailbox 0-3, 8 GPU,
//   9 PMU, 11 local timer.
// enable/disable/pending/acknowledge act on the calling core's registers. Supported sources:
// the timers (0-3) and the mailboxes (4-7); GPU, PMU and local-timer routing are not done here
// (enable() of them is a no-op that pending() will show as never raised).
// Registers: "BCM2836 ARM-local peripherals" (QA7_rev3.4) §4.6 "Core timers interrupts",
// §4.7 "Core Mailboxes interrupts", §4.8 "Core Mailboxes", §4.10 "Core interrupt sources";
// base 0x40000000. Cost: one MMIO read to acknowledge, a read-modify-write to enable.

#include <cstdint>

#include "tessera/api/interrupt_controller.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct Bcm2836LocalIntcOptions {
  std::uintptr_t base = 0;
};

template <Bcm2836LocalIntcOptions Options>
struct Bcm2836LocalIntc {
  static_assert(Options.base != 0, "drivers::Bcm2836LocalIntc: option .base (0x40000000 on the BCM2836/7) must be set");

  static constexpr const char* name = "drivers::Bcm2836LocalIntc";
  // QA7 §4.6: Core n timers interrupt control, one word per core; bits 0-3 route CNTPSIRQ,
  // CNTPNSIRQ, CNTHPIRQ, CNTVIRQ to the core's IRQ (bits 4-7: to its FIQ instead).
  static constexpr std::uintptr_t CORE0_TIMER_INT_CONTROL = Options.base + 0x40;
  // QA7 §4.7: Core n mailboxes interrupt control; bits 0-3 mailboxes 0-3 to IRQ.
  static constexpr std::uintptr_t CORE0_MAILBOX_INT_CONTROL = Options.base + 0x50;
  // QA7 §4.10: Core n IRQ source, read only.
  static constexpr std::uintptr_t CORE0_IRQ_SOURCE = Options.base + 0x60;
  // QA7 §4.8: Core n mailbox m write-set (0x80 + 16n + 4m) and read/write-clear (0xC0 + 16n + 4m).
  static constexpr std::uintptr_t CORE0_MAILBOX0_SET = Options.base + 0x80;
  static constexpr std::uintptr_t CORE0_MAILBOX0_CLEAR = Options.base + 0xc0;

  static constexpr std::uint32_t cntpsirq = 0, cntpnsirq = 1, cnthpirq = 2, cntvirq = 3, mailbox0 = 4;
  static constexpr std::uint32_t spurious = 32;  // no source bit is this high

  static void init() {}  // nothing global: each source is routed on its own, per core
  static void enable(std::uint32_t irq) {
    if (const auto control = control_of(irq)) lib::mmio::write32(control, lib::mmio::read32(control) | bit_of(irq));
  }
  static void disable(std::uint32_t irq) {
    if (const auto control = control_of(irq)) lib::mmio::write32(control, lib::mmio::read32(control) & ~bit_of(irq));
  }
  static bool pending(std::uint32_t irq) { return irq < 32 && (source() >> irq & 1); }
  // The lowest-numbered raised source (the timers come before the mailboxes).
  static std::uint32_t acknowledge() {
    const std::uint32_t raised = source() & 0xfff;
    return raised == 0 ? spurious : static_cast<std::uint32_t>(__builtin_ctz(raised));
  }
  // Timers are level-triggered at their source (re-arming or disarming lowers them); a mailbox
  // interrupt ends when its bits are cleared.
  static void end(std::uint32_t irq) {
    if (irq >= mailbox0 && irq < mailbox0 + 4) lib::mmio::write32(mailbox_clear(core(), irq - mailbox0), ~0u);
  }

  // Signals between cores (api::CoreSignals): a signal is named by the interrupt it raises,
  // as a GIC's SGI is: mailbox0 + m (4-7) sets bit 0 of mailbox m of the target core, which
  // raises that interrupt there once enabled (enable(mailbox0 + m) on that core); end() or
  // clear_signal() clears it.
  static constexpr std::uint32_t signal_count = 4;
  static constexpr std::uint32_t first_signal = mailbox0;
  static void signal(unsigned target_core, std::uint32_t signal) {
    lib::mmio::write32(CORE0_MAILBOX0_SET + target_core * 16 + (signal - mailbox0) % 4 * 4, 1);
  }
  static void clear_signal(std::uint32_t signal) { lib::mmio::write32(mailbox_clear(core(), (signal - mailbox0) % 4), ~0u); }

 private:
  static unsigned core() {
    std::uint64_t mpidr;
    asm("mrs %0, mpidr_el1" : "=r"(mpidr));
    return mpidr & 3;  // the BCM2837's four cores: Aff0 0-3
  }
  static std::uint32_t source() { return lib::mmio::read32(CORE0_IRQ_SOURCE + core() * 4); }
  static std::uintptr_t mailbox_clear(unsigned c, unsigned m) { return CORE0_MAILBOX0_CLEAR + c * 16 + m * 4; }
  static std::uintptr_t control_of(std::uint32_t irq) {
    if (irq <= cntvirq) return CORE0_TIMER_INT_CONTROL + core() * 4;
    if (irq < mailbox0 + 4) return CORE0_MAILBOX_INT_CONTROL + core() * 4;
    return 0;
  }
  static std::uint32_t bit_of(std::uint32_t irq) { return 1u << (irq <= cntvirq ? irq : irq - mailbox0); }
};

static_assert(api::InterruptController<Bcm2836LocalIntc<{.base = 0x4000'0000}>>);
static_assert(api::CoreSignals<Bcm2836LocalIntc<{.base = 0x4000'0000}>>);

}  // namespace tessera::drivers
