// Runs inside QEMU (aarch64 virt): signalling threads from an interrupt handler under
// sched::Preemptive. The timer interrupt's OnTick hook (every 1 ms slice) releases a
// semaphore a waiting thread acquires, sets an event after 30 ticks, and adds to a counter
// that threads also add to under a sync::IrqSpinlock. The exit status is the number of failed
// checks.

#include <cstdint>
#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/event.hpp>
#include <tessera/sync/semaphore.hpp>
#include <tessera/sync/spinlock.hpp>
#include <tessera/tessera.hpp>

#include "../check.hpp"

void on_tick();

using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            tessera::sched::Preemptive<{.max_threads = 8, .slice_us = 1000}, &on_tick>,
                            tessera::net::None, tessera::block::None, tessera::platform::QemuVirtAarch64>;

namespace {

tessera::sync::Semaphore<App> ticks;
tessera::sync::Event<App> thirty_ticks;
tessera::sync::IrqSpinlock counter_lock;
volatile std::uint64_t counter = 0;          // read-modify-written by threads and by the handler
volatile std::uint64_t handler_adds = 0;     // what the handler added
volatile int tick_count = 0;
volatile bool counting = false;
using Clock = App::platform::clock;

}  // namespace

// The timer interrupt, IRQs masked: signals only (release, set), never blocks.
void on_tick() {
  ticks.release();
  tick_count = tick_count + 1;
  if (tick_count == 30) thirty_ticks.set();
  if (counting) {
    counter_lock.lock();  // never held by the interrupted thread: it masks IRQs while it holds it
    counter = counter + 1000;
    handler_adds = handler_adds + 1000;
    counter_lock.unlock();
  }
}

namespace {

// A thread blocks on the semaphore 10 times; only the timer interrupt releases it.
void semaphore_from_interrupt() {
  static volatile int acquired = 0;
  acquired = 0;
  const auto t0 = Clock::now();
  auto waiter = App::sched().spawn([](void*) {
    for (int i = 0; i < 10; ++i) {
      ticks.acquire();
      acquired = acquired + 1;
    }
  }, nullptr, {.name = "waiter"});
  CHECK(waiter.ok());
  CHECK(App::sched().join(waiter.value_or(0)).ok());
  const auto elapsed = Clock::now() - t0;
  std::printf("10 acquires in %llu us\n", static_cast<unsigned long long>(elapsed * 1'000'000 / Clock::frequency()));
  CHECK(acquired == 10);
}

// A thread waits for the event the handler sets at its 30th tick.
void event_from_interrupt() {
  auto waiter = App::sched().spawn([](void*) { thirty_ticks.wait(); }, nullptr, {.name = "event"});
  CHECK(waiter.ok());
  CHECK(App::sched().join(waiter.value_or(0)).ok());
  CHECK(thirty_ticks.is_set());
  CHECK(tick_count >= 30);
}

// Two threads and the handler add to one counter under an IrqSpinlock, the threads with a slow
// read-modify-write that a tick would split if the lock did not mask IRQs: no update is lost.
void irq_spinlock_shared_with_handler() {
  counter = 0;
  handler_adds = 0;
  counting = true;
  static volatile std::uint64_t thread_adds[2];
  thread_adds[0] = 0;
  thread_adds[1] = 0;
  // Until the handler has run three times while they count (however fast the host is).
  auto adder = [](void* which) {
    auto& mine = thread_adds[reinterpret_cast<std::uintptr_t>(which)];
    for (int i = 0; i < 3000 || handler_adds < 3000; ++i) {
      counter_lock.lock();
      const std::uint64_t seen = counter;
      for (int k = 0; k < 100; ++k) asm volatile("");
      counter = seen + 1;
      counter_lock.unlock();
      mine = mine + 1;
    }
  };
  auto a = App::sched().spawn(adder, reinterpret_cast<void*>(std::uintptr_t{0}), {.name = "adder-a"});
  auto b = App::sched().spawn(adder, reinterpret_cast<void*>(std::uintptr_t{1}), {.name = "adder-b"});
  CHECK(App::sched().join(a.value_or(0)).ok());
  CHECK(App::sched().join(b.value_or(0)).ok());
  counting = false;
  std::printf("counter %llu, of which the handler added %llu\n", static_cast<unsigned long long>(counter),
              static_cast<unsigned long long>(handler_adds));
  CHECK(handler_adds >= 3000);  // the handler did run while the threads counted
  CHECK(thread_adds[0] >= 3000 && thread_adds[1] >= 3000);
  CHECK(counter == thread_adds[0] + thread_adds[1] + handler_adds);
  CHECK(!counter_lock.locked());
}

// The hook keeps running while the only thread sleeps (the CPU idles one tick at a time).
void ticks_while_sleeping() {
  const int before = tick_count;
  App::sched().sleep_for(10'000'000);
  std::printf("%d ticks during a 10 ms sleep\n", tick_count - before);
  CHECK(tick_count - before >= 1);  // none without idling tick by tick: the CPU would sleep 10 ms in one wfi
}

int run() {
  ticks_while_sleeping();
  semaphore_from_interrupt();
  event_from_interrupt();
  irq_spinlock_shared_with_handler();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
