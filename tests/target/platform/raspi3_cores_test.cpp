// Runs inside QEMU raspi3b: platform::Raspi3::start_core releases cores 1-3 from the spin
// table. Each reports, with a release store into a shared array, its core number, its
// exception level, whether its MMU and caches are on, that FP/SIMD works and that it runs on
// the stack it was given; core 0 waits (at most 2 s on the system timer) with acquire loads
// and prints "core N up" for each. The exit status is the number of failed checks.

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
  __atomic_store_n(&reports[core].id, Platform::core_id() + 1, __ATOMIC_RELEASE);  // publishes the fields above
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
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, cores_main)
