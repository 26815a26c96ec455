#pragma once
// drivers::Pl031 — the ARM PrimeCell real-time clock (PL031) as the wall clock: seconds since
// 1970-01-01, as QEMU sets it from the host's clock at start-up. Options: .base (MMIO
// address). Cost: one 32-bit load per read; read once per boot by std::chrono::system_clock.
// Registers: ARM PrimeCell Real Time Clock (PL031) Technical Reference Manual, §3.3 (DDI 0224).

#include <cstdint>

#include "tessera/api/clock.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct Pl031Options {
  std::uintptr_t base = 0;
};

template <Pl031Options Options>
struct Pl031 {
  static_assert(Options.base != 0, "drivers::Pl031: option .base (the RTC's MMIO address) must be set");

  static constexpr std::uintptr_t RTCDR = Options.base + 0x00;  // data register: the current count, seconds

  static std::uint64_t seconds_since_epoch() { return lib::mmio::read32(RTCDR); }
};

}  // namespace tessera::drivers
