// Runs inside QEMU virt (-m 64M): the platform's memory, clock, console and allocator on real
// (emulated) hardware.

#include <cstdint>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::QemuVirtAarch64>;
using Platform = App::platform;

namespace {

void memory() {
  const auto free = Platform::free_memory();
  const auto begin = reinterpret_cast<std::uintptr_t>(free.begin);
  const auto end = reinterpret_cast<std::uintptr_t>(free.end);
  CHECK(begin % 4096 == 0);
  CHECK(begin > reinterpret_cast<std::uintptr_t>(&tessera_boot_el));  // after the image
  CHECK(end == 0x4000'0000 + (64u << 20));  // the runner's -m 64M, read from the device tree
  // The last byte of RAM is usable.
  auto* last = reinterpret_cast<volatile std::uint8_t*>(end - 1);
  *last = 0x5a;
  CHECK(*last == 0x5a);
}

void allocator() {
  auto& heap = App::alloc();
  const auto stats = heap.stats();
  CHECK(stats.bytes_free > (56u << 20));  // all free RAM (64 MiB less the 4 MiB below the RW block and the image)
  auto big = heap.allocate(32u << 20, 4096);
  CHECK(big.ok());
  if (big.ok()) {
    auto* bytes = static_cast<volatile std::uint8_t*>(big.value());
    bytes[0] = 1;
    bytes[(32u << 20) - 1] = 2;
    CHECK(bytes[0] == 1 && bytes[(32u << 20) - 1] == 2);
    CHECK(reinterpret_cast<std::uintptr_t>(big.value()) % 4096 == 0);
  }
  CHECK(heap.allocate(64u << 20, 16).error() == tessera::Error::out_of_memory);
  CHECK(heap.deallocate(big.value()).ok());
  CHECK(heap.stats().bytes_in_use == stats.bytes_in_use);
}

void clock() {
  using Clock = Platform::clock;
  CHECK(Clock::frequency() == 62'500'000);  // QEMU's generic timer: 16 ns per tick
  const auto t0 = Clock::now();
  for (int i = 0; i < 100000; ++i) {
    asm volatile("");  // keep the loop: it is the time that passes
  }
  const auto t1 = Clock::now();
  CHECK(t1 > t0);
  CHECK(tessera::api::now_ns<Clock>() > 0);
}

void console() {
  // No input is queued (the runner's stdin is /dev/null): reading must not block.
  CHECK(Platform::console::read().error() == tessera::Error::would_block);
}

// The GIC and the virtual timer: the timer's line reaches the GIC at its deadline (pending,
// then acknowledged as interrupt 27), falls when disarmed, and idle_until's wfi wakes on it.
// Interrupts stay masked at the CPU throughout (no handler exists yet).
void interrupts() {
  using Gic = Platform::interrupt_controller;
  using Timer = Platform::timer;
  asm volatile("msr daifset, #2" ::: "memory");
  Gic::init();
  Gic::enable(Timer::irq);
  CHECK(Timer::irq == 27);
  const std::uint64_t ms = Platform::clock::frequency() / 1000;
  Timer::arm(Platform::clock::now() + 1000 * ms);  // a second away: far beyond any host hiccup
  CHECK(!Gic::pending(Timer::irq));
  Timer::arm(Platform::clock::now());  // due now
  bool pending = false;
  for (int i = 0; i < 100000 && !pending; ++i) pending = Gic::pending(Timer::irq);
  CHECK(pending);
  const auto acknowledged = Gic::acknowledge();
  CHECK(acknowledged == 27);
  Timer::disarm();
  Gic::end(acknowledged);
  CHECK(!Gic::pending(Timer::irq));
  CHECK(Gic::acknowledge() == Gic::spurious);  // nothing else pending

  const auto idle_deadline = Platform::clock::now() + 2 * ms;
  Platform::idle_until(idle_deadline);
  CHECK(Platform::clock::now() >= idle_deadline);
  CHECK(!Gic::pending(Timer::irq));  // idle_until disarmed the timer again
}

int run() {
  memory();
  allocator();
  clock();
  console();
  interrupts();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
