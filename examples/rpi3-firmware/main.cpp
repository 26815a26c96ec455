// rpi3-firmware: a custom Raspberry Pi 3 firmware on tessera. It defines its own kernel type,
// prints what the VideoCore mailbox says about the board, toggles a GPIO every 100 ms (the
// generic timer's interrupt wakes the core; the 1 MHz system timer checks the period) and
// reads each level back from the pin, then writes a sector of the SD card and reads it back
// (the card's last sector, whose old contents it puts back afterwards). Exit status: the
// number of problems (0 on success). Without an SD card the kernel stops at boot with a
// message naming the EMMC controller's registers (exit status 70).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

#include <tessera/block/bcm2835_emmc.hpp>
#include <tessera/block/request.hpp>
#include <tessera/tessera.hpp>

#ifndef FIRMWARE_BLINK_PIN
#define FIRMWARE_BLINK_PIN 17
#endif
#ifndef FIRMWARE_BLINKS
#define FIRMWARE_BLINKS 6
#endif

// The firmware's own kernel: a general-purpose allocator, run to completion, no network, the
// SD card through the EMMC controller, the Raspberry Pi 3 with its PL011 console on GPIO 14/15.
using Firmware = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None,
                                 tessera::block::Bcm2835Emmc<>, tessera::platform::Raspi3>;
using Board = Firmware::platform;

namespace {

int problems = 0;

void problem(const char* what) {
  std::printf("problem: %s\n", what);
  ++problems;
}

// The new-style revision code (bit 23 set): memory size, maker, processor, type, revision.
// Raspberry Pi documentation, "Raspberry Pi revision codes".
void print_revision(std::uint32_t code) {
  std::printf("board revision: 0x%06x", static_cast<unsigned>(code));
  if (code >> 23 & 1) {
    static const char* const types[] = {"A", "B", "A+", "B+", "2B", "Alpha", "CM1", "?", "3B", "Zero", "CM3", "?",
                                        "Zero W", "3B+", "3A+"};
    const unsigned type = code >> 4 & 0xff, memory = code >> 20 & 7, processor = code >> 12 & 0xf;
    std::printf(" (Raspberry Pi %s, %u MiB, BCM%u, revision 1.%u)", type < 15 ? types[type] : "?", 256u << memory,
                2835 + processor, static_cast<unsigned>(code & 0xf));
  }
  std::printf("\n");
}

void board_info() {
  using Mailbox = Board::mailbox;
  if (auto revision = Mailbox::board_revision(); revision.ok())
    print_revision(revision.value());
  else
    problem("the mailbox did not give the board revision");
  if (auto memory = Mailbox::arm_memory(); memory.ok())
    std::printf("ARM memory: %u MiB at 0x%08x\n", static_cast<unsigned>(memory.value().bytes >> 20),
                static_cast<unsigned>(memory.value().base));
  else
    problem("the mailbox did not give the ARM memory");
  using tessera::drivers::Bcm2835Clock;
  for (auto [clock, name] : {std::pair{Bcm2835Clock::arm, "ARM"}, std::pair{Bcm2835Clock::core, "core"},
                             std::pair{Bcm2835Clock::uart, "UART"}, std::pair{Bcm2835Clock::emmc, "EMMC"}}) {
    if (auto hz = Mailbox::clock_rate_hz(clock); hz.ok())
      std::printf("%s clock: %u Hz\n", name, static_cast<unsigned>(hz.value()));
    else
      problem("the mailbox did not give a clock rate");
  }
  if (Mailbox::last_failed_tag() != 0) std::printf("failed mailbox tag: 0x%08x\n", static_cast<unsigned>(Mailbox::last_failed_tag()));
}

void blink() {
  using Gpio = Board::gpio;
  using Clock = Board::clock;
  constexpr unsigned pin = FIRMWARE_BLINK_PIN;
  if (!Gpio::select(pin, tessera::drivers::GpioFunction::output).ok()) return problem("GPIO function select");
  const std::uint64_t period = Clock::frequency() / 10;  // 100 ms
  const std::uint64_t start_us = Board::system_timer::now();  // first: its interval then contains the other's
  std::uint64_t deadline = Clock::now();
  bool level = false;
  for (int i = 1; i <= FIRMWARE_BLINKS; ++i) {
    deadline += period;
    Board::idle_until(deadline);  // wfi until the timer's interrupt
    level = !level;
    Gpio::write(pin, level);
    const bool read_back = Gpio::read(pin);
    const auto at_ms = (Board::system_timer::now() - start_us) / 1000;
    std::printf("GPIO%u %s at %llu ms (level read back: %d)\n", pin, level ? "high" : "low",
                static_cast<unsigned long long>(at_ms), read_back ? 1 : 0);
    if (read_back != level) problem("the pin's level is not what was written");
    if (at_ms < static_cast<unsigned>(i) * 100) problem("the timer woke the core early");
  }
  Gpio::clear(pin);
  (void)Gpio::select(pin, tessera::drivers::GpioFunction::input);
}

// The card's last sector: saved, overwritten with a pattern, read back and compared, then its
// old contents written back (on a real card the boot partition and its files stay untouched).
void sd_sector() {
  namespace block = tessera::block;
  auto& sd = Firmware::block();
  const std::uint64_t sector = sd.block_count() - 1;
  std::printf("SD card: %llu sectors of %zu bytes (%s capacity)\n", static_cast<unsigned long long>(sd.block_count()),
              sd.block_size(), sd.high_capacity() ? "high" : "standard");
  alignas(16) static std::byte saved[512], pattern[512], back[512];
  for (std::size_t i = 0; i < sizeof pattern; ++i) pattern[i] = std::byte(static_cast<unsigned char>(i * 7 + 0x5a));
  if (!block::read(sd, sector, saved).ok()) return problem("reading the SD card's last sector");
  if (!block::write(sd, sector, pattern).ok()) return problem("writing the SD card's last sector");
  const bool read = block::read(sd, sector, back).ok();
  const bool same = read && std::memcmp(back, pattern, sizeof pattern) == 0;
  std::printf("SD card: sector %llu written and read back: %s\n", static_cast<unsigned long long>(sector),
              same ? "match" : "MISMATCH");
  if (!same) problem("the SD card sector read back is not what was written");
  if (!block::write(sd, sector, saved).ok() || !block::read(sd, sector, back).ok() ||
      std::memcmp(back, saved, sizeof saved) != 0)
    return problem("putting the SD card sector's old contents back");
  std::printf("SD card: sector %llu has its old contents again\n", static_cast<unsigned long long>(sector));
}

int firmware_main() {
  std::printf("rpi3-firmware on %s (tessera as a subproject)\n", Board::name);
  board_info();
  blink();
  sd_sector();
  std::printf("rpi3-firmware: %d problems\n", problems);
  return problems;
}

}  // namespace

TESSERA_MAIN(Firmware, firmware_main)
