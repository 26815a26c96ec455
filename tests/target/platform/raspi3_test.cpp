// Runs inside QEMU raspi3b (1 GiB, 64 MiB of it the VideoCore's): platform::Raspi3's memory,
// clocks, mailbox, GPIO and console on emulated hardware. The exit status is the number of
// failed checks.

#include <cstdint>
#include <cstdio>
#include <utility>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Raspi3>;
using Platform = App::platform;
using tessera::drivers::GpioFunction;
using tessera::drivers::GpioPull;

namespace {

// QEMU 7.2 hw/arm/raspi.c: raspi3b has 1 GiB; hw/misc/bcm2835_property.c answers the ARM
// memory tag with base 0 and the RAM below the VideoCore's vcram (64 MiB by default).
constexpr std::uint32_t qemu_arm_memory_bytes = (1024u - 64u) << 20;
// QEMU 7.2 hw/arm/raspi.c: the raspi3b's board revision 0xa02082 (3B, 1 GiB, Sony UK, rev 1.2).
constexpr std::uint32_t qemu_board_revision = 0xa02082;

void memory() {
  const auto memory = Platform::mailbox::arm_memory();
  CHECK(memory.ok());
  if (memory.ok()) {
    std::printf("mailbox: ARM memory base 0x%08x, %u bytes\n", static_cast<unsigned>(memory.value().base),
                static_cast<unsigned>(memory.value().bytes));
    CHECK(memory.value().base == 0);
    CHECK(memory.value().bytes == qemu_arm_memory_bytes);
  }
  const auto free = Platform::free_memory();
  const auto begin = reinterpret_cast<std::uintptr_t>(free.begin);
  const auto end = reinterpret_cast<std::uintptr_t>(free.end);
  CHECK(begin % 4096 == 0);
  CHECK(begin >= 0x180000);  // after the image's read-write part starts
  CHECK(end == qemu_arm_memory_bytes);
  auto* last = reinterpret_cast<volatile std::uint8_t*>(end - 1);  // the last byte of RAM is usable
  *last = 0x5a;
  CHECK(*last == 0x5a);
  CHECK(App::alloc().stats().bytes_free > (900u << 20));
}

void mailbox() {
  const auto revision = Platform::mailbox::board_revision();
  CHECK(revision.ok());
  if (revision.ok()) {
    std::printf("mailbox: board revision 0x%06x\n", static_cast<unsigned>(revision.value()));
    CHECK(revision.value() == qemu_board_revision);
  }
  using tessera::drivers::Bcm2835Clock;
  for (auto [clock, name] : {std::pair{Bcm2835Clock::arm, "ARM"}, std::pair{Bcm2835Clock::core, "core"},
                             std::pair{Bcm2835Clock::uart, "UART"}, std::pair{Bcm2835Clock::emmc, "EMMC"}}) {
    const auto hz = Platform::mailbox::clock_rate_hz(clock);
    CHECK(hz.ok() && hz.value() > 0);
    if (hz.ok()) std::printf("mailbox: %s clock %u Hz\n", name, static_cast<unsigned>(hz.value()));
  }
  CHECK(Platform::mailbox::last_failed_tag() == 0);
}

// Bad input: a tag the firmware does not know is refused with its tag named; a mailbox that
// never accepts a message (here: "registers" in RAM whose status says full) times out.
void mailbox_failures() {
  using Mailbox = Platform::mailbox;
  constexpr std::uint32_t unknown_tag = 0x000f'0001;
  Mailbox::Message<1> message{.tag = unknown_tag};
  const auto refused = Mailbox::call(message);
  CHECK(refused.error() == tessera::Error::io_error);
  CHECK(Mailbox::last_failed_tag() == unknown_tag);

  constexpr std::uintptr_t fake = 0x0300'0000;  // 48 MiB: free RAM, not the real mailbox
  using Stuck = tessera::drivers::Bcm2835Mailbox<{.base = fake, .timeout_us = 2000}>;
  tessera::lib::mmio::write32(Stuck::MAIL1_STATUS, Stuck::STATUS_FULL);
  const auto t0 = Platform::system_timer::now();
  const auto revision = Stuck::board_revision();
  const auto waited_us = Platform::system_timer::now() - t0;
  std::printf("stuck mailbox: %s after %llu us, tag 0x%08x\n", tessera::to_string(revision.error()),
              static_cast<unsigned long long>(waited_us), static_cast<unsigned>(Stuck::last_failed_tag()));
  CHECK(revision.error() == tessera::Error::timeout);
  CHECK(Stuck::last_failed_tag() == Stuck::tag_board_revision);
  CHECK(waited_us >= 2000 && waited_us < 1'000'000);
  // The real one still works afterwards.
  CHECK(Mailbox::board_revision().ok());
}

void gpio() {
  using Gpio = Platform::gpio;
  constexpr unsigned pin = 17;  // header pin 11: free on a real board
  const auto gpfsel1 = Gpio::GPFSEL0 + 4;
  CHECK(Gpio::select(pin, GpioFunction::output).ok());
  CHECK((tessera::lib::mmio::read32(gpfsel1) >> 21 & 7) == 0b001);  // GPFSEL1 FSEL17: output
  CHECK(Gpio::function(pin) == GpioFunction::output);
  Gpio::set(pin);
  CHECK((tessera::lib::mmio::read32(Gpio::GPLEV0) >> pin & 1) == 1);
  CHECK(Gpio::read(pin));
  Gpio::clear(pin);
  CHECK((tessera::lib::mmio::read32(Gpio::GPLEV0) >> pin & 1) == 0);
  CHECK(!Gpio::read(pin));
  Gpio::write(pin, true);
  CHECK(Gpio::read(pin));
  Gpio::write(pin, false);
  CHECK(Gpio::pull(pin, GpioPull::down).ok());
  CHECK(Gpio::select(pin, GpioFunction::input).ok());
  CHECK((tessera::lib::mmio::read32(gpfsel1) >> 21 & 7) == 0b000);
  CHECK(Gpio::select(54, GpioFunction::output).error() == tessera::Error::invalid_argument);
  // The console's pins, as early_init left them: ALT0 (PL011 TXD0/RXD0).
  CHECK(Gpio::function(14) == GpioFunction::alt0);
  CHECK(Gpio::function(15) == GpioFunction::alt0);
}

void clocks() {
  using Clock = Platform::clock;
  using SystemTimer = Platform::system_timer;
  std::printf("generic timer %llu Hz\n", static_cast<unsigned long long>(Clock::frequency()));
  CHECK(Clock::frequency() > 0);
  // The two clocks agree: the generic timer's ticks over ~50 ms lie between the shortest and
  // the longest system-timer interval that can contain them (each end read between two
  // system-timer reads, so a host stall between the reads widens the bracket, not the error),
  // within 1 % for the tick resolution.
  const auto s0a = SystemTimer::now();
  const auto g0 = Clock::now();
  const auto s0b = SystemTimer::now();
  while (SystemTimer::now() - s0b < 50'000) {
  }
  const auto s1a = SystemTimer::now();
  const auto g1 = Clock::now();
  const auto s1b = SystemTimer::now();
  const auto per_us = Clock::frequency() / 1'000'000;
  const auto shortest = (s1a - s0b) * per_us, longest = (s1b - s0a) * per_us, ticks = g1 - g0;
  std::printf("system timer %llu-%llu us, generic timer %llu ticks\n", static_cast<unsigned long long>(s1a - s0b),
              static_cast<unsigned long long>(s1b - s0a), static_cast<unsigned long long>(ticks));
  CHECK(ticks >= shortest * 99 / 100 && ticks <= longest * 101 / 100);
}

void console() {
  CHECK(Platform::console::read().error() == tessera::Error::would_block);  // stdin is /dev/null
  CHECK(Platform::core_id() == 0);
  CHECK(tessera_boot_el == 2);  // the firmware (and QEMU's raw-kernel boot) enters at EL2
}

int platform_main() {
  std::printf("platform %s\n", Platform::name);
  memory();
  mailbox();
  mailbox_failures();
  gpio();
  clocks();
  console();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, platform_main)
