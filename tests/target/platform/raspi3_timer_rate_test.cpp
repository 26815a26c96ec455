// Runs inside QEMU raspi3b: the generic timer's interrupts reach core 0 through the BCM2836
// local interrupt controller at the rate asked for. The timer is re-armed one period after
// its previous deadline (no drift) from the IRQ handler, for 300 ms measured on the
// independent 1 MHz system timer; the count must be within 5 % of 300 ms × the rate. The same
// path as sched::Preemptive's (tessera_preempt_vectors, tessera_irq_hooks), without a
// scheduler. The exit status is the number of failed checks.

#include <cstdint>
#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Raspi3>;
using Platform = App::platform;
using Controller = Platform::interrupt_controller;
using Timer = Platform::timer;
using Clock = Platform::clock;

namespace {

constexpr std::uint64_t rate_hz = 1000;
constexpr std::uint64_t interval_us = 300'000;

volatile std::uint64_t ticks = 0, spurious = 0, others = 0;
std::uint64_t deadline = 0, period = 0;

void on_irq() {
  const std::uint32_t irq = Controller::acknowledge();
  if (irq == Controller::spurious) {
    spurious = spurious + 1;
    return;
  }
  if (irq == Timer::irq) {
    ticks = ticks + 1;
    deadline += period;
    Timer::arm(deadline);  // the line falls until the next deadline
  } else {
    others = others + 1;
  }
  Controller::end(irq);
}

int rate_main() {
  period = Clock::frequency() / rate_hz;
  tessera_irq_hooks[0] = &on_irq;  // core 0's
  asm volatile("msr vbar_el1, %0\n\tisb" ::"r"(tessera_preempt_vectors) : "memory");
  Controller::init();
  Controller::enable(Timer::irq);
  CHECK(!Controller::pending(Timer::irq));
  deadline = Clock::now() + period;
  Timer::arm(deadline);
  asm volatile("msr daifclr, #2" ::: "memory");  // IRQs on
  const auto start = Platform::system_timer::now();
  const std::uint64_t first = ticks;
  while (Platform::system_timer::now() - start < interval_us) asm volatile("wfi");
  const std::uint64_t counted = ticks - first;
  asm volatile("msr daifset, #2" ::: "memory");
  Timer::disarm();
  Controller::disable(Timer::irq);
  const std::uint64_t expected = interval_us * rate_hz / 1'000'000;
  std::printf("timer interrupts: %llu in %llu us at %llu Hz (expected %llu), %llu spurious, %llu others\n",
              static_cast<unsigned long long>(counted), static_cast<unsigned long long>(interval_us),
              static_cast<unsigned long long>(rate_hz), static_cast<unsigned long long>(expected),
              static_cast<unsigned long long>(spurious), static_cast<unsigned long long>(others));
  CHECK(counted >= expected * 95 / 100 && counted <= expected * 105 / 100);
  CHECK(others == 0);
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, rate_main)
