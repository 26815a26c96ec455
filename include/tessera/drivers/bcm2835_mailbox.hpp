#pragma once
// drivers::Bcm2835Mailbox<{.base}> — the ARM side of the VideoCore mailbox, channel 8: the
// firmware's property interface (board revision, ARM memory, clock rates …). A call sends a
// 16-byte aligned buffer of tags and waits for the firmware to answer in place.
// Registers: mailbox 0 (VideoCore → ARM, read) and mailbox 1 (ARM → VideoCore, write) at
// 0x3F00B880 on the BCM2837, as the Raspberry Pi firmware documents them
// (github.com/raspberrypi/firmware wiki, "Mailboxes" and "Mailbox property interface"); the
// BCM2835 ARM Peripherals manual does not describe this block.
// Every wait is bounded (.timeout_us on the generic timer): a firmware that does not answer is
// Error::timeout, a tag it refuses or answers short is Error::io_error, and last_failed_tag()
// says which tag.
// Cost: one round trip to the VideoCore per call (QEMU answers at once; a real board in tens
// of microseconds); the buffer is cleaned and invalidated in the data cache around it.

#include <cstddef>
#include <cstdint>

#include "tessera/arch/aarch64/generic_timer.hpp"
#include "tessera/lib/mmio.hpp"
#include "tessera/result.hpp"

namespace tessera::drivers {

struct Bcm2835MailboxOptions {
  std::uintptr_t base = 0;            // MAIL0_READ
  std::uint32_t timeout_us = 100'000;  // per wait for the firmware
};

// Clock ids of the "get clock rate" tag (firmware wiki, "Mailbox property interface", Clocks).
enum class Bcm2835Clock : std::uint32_t { emmc = 1, uart = 2, arm = 3, core = 4, v3d = 5, h264 = 6, isp = 7, sdram = 8 };

struct Bcm2835MemoryRange {
  std::uint32_t base;
  std::uint32_t bytes;
};

template <Bcm2835MailboxOptions Options>
struct Bcm2835Mailbox {
  static_assert(Options.base != 0, "drivers::Bcm2835Mailbox: option .base (MAIL0_READ's address) must be set");
  static_assert(Options.timeout_us != 0, "drivers::Bcm2835Mailbox: option .timeout_us must not be 0 (every wait is bounded)");

  static constexpr const char* name = "drivers::Bcm2835Mailbox";
  static constexpr std::uintptr_t MAIL0_READ = Options.base + 0x00;    // VideoCore → ARM
  static constexpr std::uintptr_t MAIL0_STATUS = Options.base + 0x18;
  static constexpr std::uintptr_t MAIL1_WRITE = Options.base + 0x20;   // ARM → VideoCore
  static constexpr std::uintptr_t MAIL1_STATUS = Options.base + 0x38;
  static constexpr std::uint32_t STATUS_FULL = 1u << 31;
  static constexpr std::uint32_t STATUS_EMPTY = 1u << 30;
  static constexpr std::uint32_t property_channel = 8;  // ARM → VideoCore property tags
  // The buffer's bus address: the VideoCore sees ARM RAM through its L2-uncached alias.
  static constexpr std::uint32_t bus_alias = 0xC000'0000;
  // Property interface codes: a request, an answered buffer; a tag's answer sets bit 31 of its
  // code word and bits 30:0 to the length of the values written.
  static constexpr std::uint32_t request = 0, response_ok = 0x8000'0000, tag_response = 1u << 31;
  // Tags used here.
  static constexpr std::uint32_t tag_board_revision = 0x0001'0002;
  static constexpr std::uint32_t tag_arm_memory = 0x0001'0005;
  static constexpr std::uint32_t tag_clock_rate = 0x0003'0002;

  // One tag with `Words` words of values (request and answer share them).
  template <std::size_t Words>
  struct alignas(16) Message {
    std::uint32_t bytes = sizeof(Message);
    std::uint32_t code = request;
    std::uint32_t tag;
    std::uint32_t value_bytes = Words * 4;
    std::uint32_t tag_code = 0;
    std::uint32_t values[Words] = {};
    std::uint32_t end = 0;
  };

  // Sends one message and waits for the firmware's answer in it.
  template <std::size_t Words>
  static Result<void> call(Message<Words>& message) {
    const auto address = reinterpret_cast<std::uintptr_t>(&message);
    if (address % 16 != 0 || address + sizeof(message) > bus_alias) return fail(Error::invalid_argument);
    clean_and_invalidate(&message, sizeof(message));  // the VideoCore reads RAM, not our cache
    if (!wait_while(MAIL1_STATUS, STATUS_FULL)) return failed(message.tag, Error::timeout);
    lib::mmio::write32(MAIL1_WRITE, (static_cast<std::uint32_t>(address) | bus_alias) | property_channel);
    for (;;) {
      if (!wait_while(MAIL0_STATUS, STATUS_EMPTY)) return failed(message.tag, Error::timeout);
      if ((lib::mmio::read32(MAIL0_READ) & 0xf) == property_channel) break;  // another channel's answer: not ours
    }
    clean_and_invalidate(&message, sizeof(message));  // drop anything cached while it was written
    // Answered means: the buffer's code says so, and the tag's code has its response bit and
    // the length of what was written (bits 30:0), at least the values asked for. (QEMU marks a
    // tag it does not know as answered, with length 0.)
    if (message.code != response_ok || !(message.tag_code & tag_response) ||
        (message.tag_code & ~tag_response) < Words * 4)
      return failed(message.tag, Error::io_error);
    return {};
  }

  static Result<std::uint32_t> board_revision() {
    Message<1> m{.tag = tag_board_revision};
    if (auto r = call(m); !r) return fail(r.error());
    return m.values[0];
  }
  static Result<Bcm2835MemoryRange> arm_memory() {
    Message<2> m{.tag = tag_arm_memory};
    if (auto r = call(m); !r) return fail(r.error());
    return Bcm2835MemoryRange{m.values[0], m.values[1]};
  }
  static Result<std::uint32_t> clock_rate_hz(Bcm2835Clock clock) {
    Message<2> m{.tag = tag_clock_rate, .values = {static_cast<std::uint32_t>(clock), 0}};
    if (auto r = call(m); !r) return fail(r.error());
    return m.values[1];
  }

  // The tag of the last call that failed (0: none did).
  static std::uint32_t last_failed_tag() { return failed_tag_; }

 private:
  static inline std::uint32_t failed_tag_ = 0;

  static Failure failed(std::uint32_t tag, Error error) {
    failed_tag_ = tag;
    return fail(error);
  }
  static bool wait_while(std::uintptr_t status, std::uint32_t bit) {
    using Timer = arch::aarch64::GenericTimer;
    const std::uint64_t deadline = Timer::now() + Timer::frequency() / 1'000'000 * Options.timeout_us;
    while (lib::mmio::read32(status) & bit)
      if (Timer::now() > deadline) return false;
    return true;
  }
  static void clean_and_invalidate(const void* begin, std::size_t bytes) {
    // 64: the Cortex-A53's data cache line (TRM §6.1); to the point of coherency (Arm ARM DC CIVAC).
    for (auto p = reinterpret_cast<std::uintptr_t>(begin) & ~std::uintptr_t{63};
         p < reinterpret_cast<std::uintptr_t>(begin) + bytes; p += 64)
      asm volatile("dc civac, %0" ::"r"(p) : "memory");
    asm volatile("dsb sy" ::: "memory");
  }
};

}  // namespace tessera::drivers
