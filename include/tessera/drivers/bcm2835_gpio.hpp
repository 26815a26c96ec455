#pragma once
// drivers::Bcm2835Gpio<{.base}> — the BCM2835/BCM2837 GPIO block: 54 pins, each with a
// function (input, output, ALT0–ALT5), an output level, an input level and a pull resistor.
// Registers: "BCM2835 ARM Peripherals" (Broadcom, 2012) §6.1 "Register View"; the BCM2837's
// GPIO block is the same at ARM physical 0x3F200000 (bus address 0x7E200000).
// Cost: one or two MMIO accesses per call; pull() waits 2 × 150 cycles as §6.1 GPPUDCLK asks.

#include <cstdint>

#include "tessera/lib/mmio.hpp"
#include "tessera/result.hpp"

namespace tessera::drivers {

struct Bcm2835GpioOptions {
  std::uintptr_t base = 0;
};

// GPFSELn function codes (§6.1, table 6-2 "GPIO Alternate function select register 0").
enum class GpioFunction : std::uint32_t {
  input = 0b000, output = 0b001, alt0 = 0b100, alt1 = 0b101, alt2 = 0b110, alt3 = 0b111, alt4 = 0b011, alt5 = 0b010
};
// GPPUD PUD[1:0] (§6.1, "GPIO Pull-up/down Register").
enum class GpioPull : std::uint32_t { none = 0b00, down = 0b01, up = 0b10 };

template <Bcm2835GpioOptions Options>
struct Bcm2835Gpio {
  static_assert(Options.base != 0, "drivers::Bcm2835Gpio: option .base (the GPIO block's ARM physical address) must be set");

  static constexpr const char* name = "drivers::Bcm2835Gpio";
  static constexpr unsigned pins = 54;  // §6.1: GPIO 0-53
  // §6.1 register offsets.
  static constexpr std::uintptr_t GPFSEL0 = Options.base + 0x00;    // 10 pins a word, 3 bits each
  static constexpr std::uintptr_t GPSET0 = Options.base + 0x1c;     // write 1: output high
  static constexpr std::uintptr_t GPCLR0 = Options.base + 0x28;     // write 1: output low
  static constexpr std::uintptr_t GPLEV0 = Options.base + 0x34;     // the pins' levels
  static constexpr std::uintptr_t GPPUD = Options.base + 0x94;      // pull to apply
  static constexpr std::uintptr_t GPPUDCLK0 = Options.base + 0x98;  // which pins take it

  static Result<void> select(unsigned pin, GpioFunction function) {
    if (pin >= pins) return fail(Error::invalid_argument);
    const std::uintptr_t word = GPFSEL0 + pin / 10 * 4;
    const unsigned shift = pin % 10 * 3;
    const std::uint32_t value = lib::mmio::read32(word);
    lib::mmio::write32(word, (value & ~(7u << shift)) | static_cast<std::uint32_t>(function) << shift);
    return {};
  }
  static GpioFunction function(unsigned pin) {
    return static_cast<GpioFunction>(lib::mmio::read32(GPFSEL0 + pin / 10 * 4) >> (pin % 10 * 3) & 7);
  }
  static void set(unsigned pin) { lib::mmio::write32(GPSET0 + pin / 32 * 4, 1u << (pin % 32)); }
  static void clear(unsigned pin) { lib::mmio::write32(GPCLR0 + pin / 32 * 4, 1u << (pin % 32)); }
  static void write(unsigned pin, bool high) { high ? set(pin) : clear(pin); }
  static bool read(unsigned pin) { return lib::mmio::read32(GPLEV0 + pin / 32 * 4) >> (pin % 32) & 1; }

  // §6.1 "GPIO Pull-up/down Clock Registers": write the control, wait 150 cycles, clock it
  // into the pins, wait 150 cycles, remove the control and the clock.
  static Result<void> pull(unsigned pin, GpioPull pull) {
    if (pin >= pins) return fail(Error::invalid_argument);
    lib::mmio::write32(GPPUD, static_cast<std::uint32_t>(pull));
    wait_cycles(150);
    lib::mmio::write32(GPPUDCLK0 + pin / 32 * 4, 1u << (pin % 32));
    wait_cycles(150);
    lib::mmio::write32(GPPUD, 0);
    lib::mmio::write32(GPPUDCLK0 + pin / 32 * 4, 0);
    return {};
  }

 private:
  static void wait_cycles(unsigned n) {
    for (unsigned i = 0; i < n; ++i) asm volatile("nop");
  }
};

}  // namespace tessera::drivers
