#pragma once
// drivers::Pl011 — the ARM PrimeCell UART (PL011) as a polled console.
// Options: .base (MMIO address), .clock_hz and .baud (0 clock: keep the divisor the firmware
// or QEMU set). Cost: a few instructions per byte; no interrupts, no buffer.
// Registers: ARM PrimeCell UART (PL011) Technical Reference Manual r1p5, §3.2 (DDI 0183G).

#include <cstddef>
#include <cstdint>

#include "tessera/api/console.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::drivers {

struct Pl011Options {
  std::uintptr_t base = 0;
  std::uint32_t clock_hz = 0;
  std::uint32_t baud = 115200;
};

template <Pl011Options Options>
struct Pl011 {
  static_assert(Options.base != 0, "drivers::Pl011: option .base (the UART's MMIO address) must be set");
  static_assert(Options.clock_hz == 0 || Options.baud != 0, "drivers::Pl011: option .baud must not be 0");

  static constexpr std::uintptr_t UARTDR = Options.base + 0x00;    // data
  static constexpr std::uintptr_t UARTFR = Options.base + 0x18;    // flags
  static constexpr std::uintptr_t UARTIBRD = Options.base + 0x24;  // integer baud divisor
  static constexpr std::uintptr_t UARTFBRD = Options.base + 0x28;  // fractional baud divisor
  static constexpr std::uintptr_t UARTLCR_H = Options.base + 0x2c; // line control
  static constexpr std::uintptr_t UARTCR = Options.base + 0x30;    // control
  static constexpr std::uint32_t FR_TXFF = 1u << 5;                // transmit FIFO full
  static constexpr std::uint32_t FR_RXFE = 1u << 4;                // receive FIFO empty
  static constexpr std::uint32_t LCR_H_8N1_FIFO = 0b11u << 5 | 1u << 4;  // WLEN=8 bits, FEN
  static constexpr std::uint32_t CR_ENABLE = 1u << 0 | 1u << 8 | 1u << 9;  // UARTEN, TXE, RXE

  static void init() {
    if constexpr (Options.clock_hz != 0) {
      lib::mmio::write32(UARTCR, 0);
      // divisor = clock / (16 * baud), kept as a 16.6 fixed-point number (TRM §3.3.6)
      const std::uint32_t div64 = (4 * Options.clock_hz + Options.baud / 2) / Options.baud;
      lib::mmio::write32(UARTIBRD, div64 >> 6);
      lib::mmio::write32(UARTFBRD, div64 & 0x3f);
      lib::mmio::write32(UARTLCR_H, LCR_H_8N1_FIFO);
    }
    lib::mmio::write32(UARTCR, CR_ENABLE);
  }

  static void put(char c) {
    while (lib::mmio::read32(UARTFR) & FR_TXFF) {
    }
    lib::mmio::write32(UARTDR, static_cast<unsigned char>(c));
  }

  static void write(const char* text, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
      if (text[i] == '\n') put('\r');
      put(text[i]);
    }
  }

  static Result<char> read() {
    if (lib::mmio::read32(UARTFR) & FR_RXFE) return fail(Error::would_block);
    return static_cast<char>(lib::mmio::read32(UARTDR) & 0xff);
  }
};

}  // namespace tessera::drivers
