#pragma once
// drivers::Bcm2835SystemTimer<{.base}> — the BCM2835/BCM2837 system timer: a free-running
// 64-bit counter at 1 MHz (from the 19.2 MHz crystal) and four compare registers, of which
// the VideoCore uses 0 and 2. As a clock (api::Clock): now() in microseconds. Independent of
// the CPU's generic timer, so it can check it (tests measure interrupt rates against it).
// Registers: "BCM2835 ARM Peripherals" (Broadcom, 2012) §12.1 "System Timer Registers";
// ARM physical 0x3F003000 on the BCM2837 (bus address 0x7E003000).
// Cost: two or three MMIO reads per now().

#include <cstdint>

#include "tessera/api/clock.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct Bcm2835SystemTimerOptions {
  std::uintptr_t base = 0;
};

template <Bcm2835SystemTimerOptions Options>
struct Bcm2835SystemTimer {
  static_assert(Options.base != 0, "drivers::Bcm2835SystemTimer: option .base (the timer's ARM physical address) must be set");

  static constexpr const char* name = "drivers::Bcm2835SystemTimer";
  static constexpr std::uintptr_t CS = Options.base + 0x00;   // §12.1 System Timer Control/Status: match flags
  static constexpr std::uintptr_t CLO = Options.base + 0x04;  // §12.1 counter, lower 32 bits
  static constexpr std::uintptr_t CHI = Options.base + 0x08;  // §12.1 counter, higher 32 bits
  static constexpr std::uintptr_t C0 = Options.base + 0x0c;   // §12.1 compare 0 (C1 +4, C2 +8, C3 +12)

  // CHI, CLO, CHI again: a carry between the two reads shows as a changed CHI (§12.1 has no
  // latch for a 64-bit read).
  static std::uint64_t now() {
    for (;;) {
      const std::uint32_t high = lib::mmio::read32(CHI);
      const std::uint32_t low = lib::mmio::read32(CLO);
      if (lib::mmio::read32(CHI) == high) return std::uint64_t{high} << 32 | low;
    }
  }
  static std::uint64_t frequency() { return 1'000'000; }

  // Compare channel 1 or 3 (0 and 2 belong to the VideoCore): its flag in CS rises when CLO
  // equals the value; writing 1 to the flag clears it (§12.1 "System Timer Control/Status").
  static void arm_compare(unsigned channel, std::uint32_t low_ticks) {
    lib::mmio::write32(CS, 1u << channel);
    lib::mmio::write32(C0 + channel * 4, low_ticks);
  }
  static bool matched(unsigned channel) { return lib::mmio::read32(CS) >> channel & 1; }
};

}  // namespace tessera::drivers
