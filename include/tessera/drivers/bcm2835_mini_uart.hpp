#pragma once
// drivers::Bcm2835MiniUart<{.base, .clock_hz, .baud}> — the auxiliary "mini UART" (UART1) of
// the BCM2835/BCM2837 as a polled console. Its baud rate derives from the VideoCore core
// clock, so the firmware must hold that clock fixed (enable_uart=1 sets core_freq=250 MHz).
// Registers: "BCM2835 ARM Peripherals" (Broadcom, 2012) §2.1 "Auxiliary peripherals register
// map" and §2.2 "Mini UART"; .base is AUX_MU_IO_REG's address (0x3F215040 on the BCM2837).
// Cost: a few instructions per byte; no interrupts, no buffer.

#include <cstddef>
#include <cstdint>

#include "tessera/api/console.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct Bcm2835MiniUartOptions {
  std::uintptr_t base = 0;             // AUX_MU_IO_REG
  std::uint32_t clock_hz = 250'000'000;  // the VideoCore core clock
  std::uint32_t baud = 115200;
};

template <Bcm2835MiniUartOptions Options>
struct Bcm2835MiniUart {
  static_assert(Options.base != 0, "drivers::Bcm2835MiniUart: option .base (AUX_MU_IO_REG's address) must be set");
  static_assert(Options.baud != 0 && Options.clock_hz / (8 * Options.baud) >= 1 &&
                    Options.clock_hz / (8 * Options.baud) - 1 <= 0xffff,
                "drivers::Bcm2835MiniUart: option .baud out of range for .clock_hz (§2.2.1: baud = clock / (8 × "
                "(AUX_MU_BAUD + 1)), a 16-bit register)");

  // §2.1: AUX_ENABLES is 0x3c below AUX_MU_IO_REG; the others follow it.
  static constexpr std::uintptr_t AUX_ENABLES = Options.base - 0x3c;
  static constexpr std::uintptr_t AUX_MU_IO_REG = Options.base + 0x00;
  static constexpr std::uintptr_t AUX_MU_IER_REG = Options.base + 0x04;
  static constexpr std::uintptr_t AUX_MU_IIR_REG = Options.base + 0x08;
  static constexpr std::uintptr_t AUX_MU_LCR_REG = Options.base + 0x0c;
  static constexpr std::uintptr_t AUX_MU_MCR_REG = Options.base + 0x10;
  static constexpr std::uintptr_t AUX_MU_LSR_REG = Options.base + 0x14;
  static constexpr std::uintptr_t AUX_MU_CNTL_REG = Options.base + 0x20;
  static constexpr std::uintptr_t AUX_MU_BAUD_REG = Options.base + 0x28;
  static constexpr std::uint32_t LSR_DATA_READY = 1u << 0;        // §2.2.2 AUX_MU_LSR_REG
  static constexpr std::uint32_t LSR_TRANSMITTER_EMPTY = 1u << 5;  // room for a byte
  static constexpr std::uint32_t LCR_8_BIT = 0b11;  // §2.2.2 AUX_MU_LCR_REG (the errata: both bits)
  static constexpr std::uint32_t baud_register = Options.clock_hz / (8 * Options.baud) - 1;  // §2.2.1

  static void init() {
    lib::mmio::write32(AUX_ENABLES, lib::mmio::read32(AUX_ENABLES) | 1);  // §2.1.1: mini UART enable
    lib::mmio::write32(AUX_MU_CNTL_REG, 0);  // receiver and transmitter off while set up
    lib::mmio::write32(AUX_MU_IER_REG, 0);   // no interrupts: polled
    lib::mmio::write32(AUX_MU_LCR_REG, LCR_8_BIT);
    lib::mmio::write32(AUX_MU_MCR_REG, 0);
    lib::mmio::write32(AUX_MU_IIR_REG, 0b110);  // clear both FIFOs
    lib::mmio::write32(AUX_MU_BAUD_REG, baud_register);
    lib::mmio::write32(AUX_MU_CNTL_REG, 0b11);  // receiver and transmitter on
  }
  static void put(char c) {
    while (!(lib::mmio::read32(AUX_MU_LSR_REG) & LSR_TRANSMITTER_EMPTY)) {
    }
    lib::mmio::write32(AUX_MU_IO_REG, static_cast<unsigned char>(c));
  }
  static void write(const char* text, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
      if (text[i] == '\n') put('\r');
      put(text[i]);
    }
  }
  static Result<char> read() {
    if (!(lib::mmio::read32(AUX_MU_LSR_REG) & LSR_DATA_READY)) return fail(Error::would_block);
    return static_cast<char>(lib::mmio::read32(AUX_MU_IO_REG) & 0xff);
  }
};

}  // namespace tessera::drivers
