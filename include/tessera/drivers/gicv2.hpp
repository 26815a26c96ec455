#pragma once
// drivers::GicV2<{.distributor, .cpu_interface}> — the Arm Generic Interrupt Controller,
// architecture version 2 (Arm IHI 0048B, "GIC architecture specification v1.0 and v2.0").
// Used without security extensions (QEMU virt's default, secure=off): every interrupt is in
// Group 0 and is signalled as IRQ. init() enables the distributor and this core's CPU
// interface with the priority mask fully open; each interrupt is enabled on its own.
// Cost: a handful of MMIO writes at init, one per enable/disable/end, one read to acknowledge.

#include <cstdint>

#include "tessera/api/interrupt_controller.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct GicV2Options {
  std::uintptr_t distributor = 0;    // GICD_* registers
  std::uintptr_t cpu_interface = 0;  // GICC_* registers
};

template <GicV2Options Options>
struct GicV2 {
  static_assert(Options.distributor != 0, "drivers::GicV2: option .distributor (GICD base address) must be set");
  static_assert(Options.cpu_interface != 0, "drivers::GicV2: option .cpu_interface (GICC base address) must be set");

  static constexpr const char* name = "drivers::GicV2";
  // IHI 0048B §4.3 (distributor) and §4.4 (CPU interface) register offsets.
  static constexpr std::uintptr_t GICD_CTLR = Options.distributor + 0x000;
  static constexpr std::uintptr_t GICD_ISENABLER = Options.distributor + 0x100;  // 32 interrupts per word
  static constexpr std::uintptr_t GICD_ICENABLER = Options.distributor + 0x180;
  static constexpr std::uintptr_t GICD_ISPENDR = Options.distributor + 0x200;
  static constexpr std::uintptr_t GICD_IPRIORITYR = Options.distributor + 0x400;  // one byte per interrupt
  static constexpr std::uintptr_t GICD_SGIR = Options.distributor + 0xf00;       // §4.3.15: send an SGI
  static constexpr std::uintptr_t GICD_CPENDSGIR = Options.distributor + 0xf10;  // §4.3.16: clear SGIs
  static constexpr std::uintptr_t GICC_CTLR = Options.cpu_interface + 0x00;
  static constexpr std::uintptr_t GICC_PMR = Options.cpu_interface + 0x04;
  static constexpr std::uintptr_t GICC_IAR = Options.cpu_interface + 0x0c;
  static constexpr std::uintptr_t GICC_EOIR = Options.cpu_interface + 0x10;
  // §3.2.5 / §4.4.4: interrupt ID 1023 from GICC_IAR means nothing is pending.
  static constexpr std::uint32_t spurious = 1023;
  // §4.4.2: a priority (lower is more urgent) passes when below the mask; 0xff lets all through.
  static constexpr std::uint32_t open_priority_mask = 0xff;
  static constexpr std::uint32_t default_priority = 0xa0;

  static void init() {
    lib::mmio::write32(GICD_CTLR, 1);  // §4.3.1 EnableGrp0 (EnableGrp1 too where security exists: bit 1)
    lib::mmio::write32(GICC_PMR, open_priority_mask);
    lib::mmio::write32(GICC_CTLR, 1);  // §4.4.1 EnableGrp0: signal Group 0 interrupts as IRQ
  }
  static void enable(std::uint32_t irq) {
    set_priority(irq, default_priority);
    lib::mmio::write32(GICD_ISENABLER + irq / 32 * 4, 1u << (irq % 32));
  }
  static void disable(std::uint32_t irq) { lib::mmio::write32(GICD_ICENABLER + irq / 32 * 4, 1u << (irq % 32)); }
  static bool pending(std::uint32_t irq) { return lib::mmio::read32(GICD_ISPENDR + irq / 32 * 4) >> (irq % 32) & 1; }
  // §4.4.4: the interrupt ID in bits [9:0]; for an SGI, the sending core in bits [12:10],
  // which end() must get back (§4.4.5), so both are returned.
  static std::uint32_t acknowledge() { return lib::mmio::read32(GICC_IAR) & 0x1fff; }
  static void end(std::uint32_t irq) { lib::mmio::write32(GICC_EOIR, irq); }

  // Software-generated interrupts between cores (SGIs 0–15; api::CoreSignals). §4.3.15
  // GICD_SGIR: TargetListFilter 0 (the list), CPUTargetList bits [23:16], SGIINTID [3:0]. The
  // CPU interface number of core n is n on qemu-virt (one cluster).
  static constexpr std::uint32_t signal_count = 16;
  static void signal(unsigned core, std::uint32_t sgi) { lib::mmio::write32(GICD_SGIR, (1u << (16 + core)) | sgi); }
  // Forgets a pending SGI of this core from every sender (§4.3.16: one byte per SGI, a bit per
  // sending core), for a core that woke from wfi without taking the interrupt.
  static void clear_signal(std::uint32_t sgi) {
    lib::mmio::write32(GICD_CPENDSGIR + sgi / 4 * 4, 0xffu << (sgi % 4 * 8));
  }

 private:
  static void set_priority(std::uint32_t irq, std::uint32_t priority) {
    // Byte-accessible (§4.3.11), but a word access is what every GIC accepts: read-modify-write.
    const std::uintptr_t word = GICD_IPRIORITYR + irq / 4 * 4;
    const std::uint32_t shift = irq % 4 * 8;
    const std::uint32_t value = lib::mmio::read32(word);
    lib::mmio::write32(word, (value & ~(0xffu << shift)) | priority << shift);
  }
};

}  // namespace tessera::drivers
