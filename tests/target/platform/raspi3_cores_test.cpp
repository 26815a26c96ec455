// Runs inside QEMU raspi3b: platform::Raspi3::start_core releases cores 1-3 from the spin
// table. Each reports, with a release store into a shared array, its core number, its
// exception level, whether its MMU and caches are on, that FP/SIMD works and that it runs on
// the stack it was given; core 0 waits (at most 2 s on the system timer) with acquire loads
// and prints "core N up" for each. Then core 0 wakes core 1 from wfi with a core signal (a
// BCM2836 mailbox interrupt, pending with IRQs masked). The exit status is the number of
// failed checks.

#include <cstdint>
#include <cstdio>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Raspi3>;
using Platform = App::platform;

namespace {

constexpr unsigned cores = Platform::max_cores;
constexpr std::size_t stack_bytes = 16 * 1024;

struct Report {
  std::uint32_t id;  // core + 1 once written (0: not yet)
  std::uint32_t el;
  std::uint64_t sctlr;
  std::uint64_t vbar;
  double fp;
  std::uintptr_t sp;
};
Report reports[cores];
std::uintptr_t stack_tops[cores];
using Controller = Platform::interrupt_controller;
std::uint32_t waiting = 0, woken = 0, wakeups = 0;  // core 1's side of the signal test

void secondary(unsigned core) {
  Report r{};
  asm volatile("mrs %0, CurrentEL" : "=r"(r.sctlr));
  r.el = static_cast<std::uint32_t>(r.sctlr >> 2 & 3);
  asm volatile("mrs %0, sctlr_el1" : "=r"(r.sctlr));
  asm volatile("mrs %0, vbar_el1" : "=r"(r.vbar));
  volatile double x = core;  // FP/SIMD registers: trapped if CPACR_EL1.FPEN were off
  r.fp = x * 1.5;
  r.sp = reinterpret_cast<std::uintptr_t>(&r);
  reports[core].el = r.el;
  reports[core].sctlr = r.sctlr;
  reports[core].vbar = r.vbar;
  reports[core].fp = r.fp;
  reports[core].sp = r.sp;
  if (core == 1) Controller::enable(Controller::mailbox0);  // before it says it is up
  __atomic_store_n(&reports[core].id, Platform::core_id() + 1, __ATOMIC_RELEASE);  // publishes the fields above
  if (core != 1) return;
  // Sleep until core 0's signal: wfi wakes on the pending interrupt though IRQs stay masked.
  __atomic_store_n(&waiting, 1, __ATOMIC_RELEASE);
  while (!Controller::pending(Controller::mailbox0)) {
    asm volatile("wfi");
    __atomic_fetch_add(&wakeups, 1, __ATOMIC_RELAXED);
  }
  Controller::clear_signal(Controller::mailbox0);
  const bool cleared = !Controller::pending(Controller::mailbox0);
  __atomic_store_n(&woken, cleared ? 1 : 2, __ATOMIC_RELEASE);
}

int cores_main() {
  std::printf("core %u of %u starts the others\n", Platform::core_id(), cores);
  CHECK(cores == 4);
  // Wrong arguments are refused before anything is posted.
  CHECK(Platform::start_core(0, nullptr, secondary).error() == tessera::Error::invalid_argument);
  CHECK(Platform::start_core(4, nullptr, secondary).error() == tessera::Error::invalid_argument);
  for (unsigned core = 1; core < cores; ++core) {
    auto stack = App::alloc().allocate(stack_bytes, 16);
    CHECK(stack.ok());
    if (!stack.ok()) return tessera::test::failures;
    stack_tops[core] = reinterpret_cast<std::uintptr_t>(stack.value()) + stack_bytes;
    CHECK(Platform::start_core(core, reinterpret_cast<void*>(stack_tops[core]), secondary).ok());
  }
  CHECK(Platform::start_core(1, reinterpret_cast<void*>(stack_tops[1]), secondary).error() ==
        tessera::Error::invalid_argument);  // already started

  std::uint64_t vbar0, sctlr0;
  asm volatile("mrs %0, vbar_el1\n\tmrs %1, sctlr_el1" : "=r"(vbar0), "=r"(sctlr0));
  const auto start = Platform::system_timer::now();
  unsigned up = 0;
  bool seen[cores] = {true, false, false, false};
  while (up < cores - 1 && Platform::system_timer::now() - start < 2'000'000) {
    for (unsigned core = 1; core < cores; ++core) {
      if (seen[core] || __atomic_load_n(&reports[core].id, __ATOMIC_ACQUIRE) == 0) continue;
      seen[core] = true;
      ++up;
      const Report& r = reports[core];
      std::printf("core %u up\n", r.id - 1);
      CHECK(r.id == core + 1);
      CHECK(r.el == 1);
      CHECK((r.sctlr & 0b101) == 0b101);  // SCTLR_EL1.M and .C: MMU and data cache on
      CHECK(r.sctlr == sctlr0);
      CHECK(r.vbar == vbar0);
      CHECK(r.fp == core * 1.5);
      CHECK(r.sp < stack_tops[core] && r.sp >= stack_tops[core] - stack_bytes);
    }
  }
  CHECK(up == cores - 1);
  std::printf("%u cores reported in %llu us\n", up,
              static_cast<unsigned long long>(Platform::system_timer::now() - start));

  // Core 1 sleeps in wfi; a signal wakes it, and it clears the signal.
  const auto signal_start = Platform::system_timer::now();
  while (__atomic_load_n(&waiting, __ATOMIC_ACQUIRE) == 0 && Platform::system_timer::now() - signal_start < 1'000'000) {
  }
  CHECK(__atomic_load_n(&woken, __ATOMIC_ACQUIRE) == 0);  // still asleep: nothing signalled it yet
  Controller::signal(1, Controller::mailbox0);
  while (__atomic_load_n(&woken, __ATOMIC_ACQUIRE) == 0 && Platform::system_timer::now() - signal_start < 2'000'000) {
  }
  const auto result = __atomic_load_n(&woken, __ATOMIC_ACQUIRE);
  std::printf("core 1 %s by a signal after %u wfi wake-ups\n", result == 1 ? "woken" : "not woken",
              static_cast<unsigned>(__atomic_load_n(&wakeups, __ATOMIC_RELAXED)));
  CHECK(result == 1);  // woken, and the signal cleared
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, cores_main)
