// Runs inside QEMU (aarch64 virt): sched::Preemptive. Threads that never yield share the CPU
// (the timer interrupt preempts them), the first thread wakes from a sleep while they spin,
// a higher-priority thread runs before lower ones, a mutex keeps its section exclusive under
// preemption, and 10,000 preemptions and yields keep every thread's registers. The exit
// status is the number of failed checks.

#include <cstdint>
#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/mutex.hpp>
#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            tessera::sched::Preemptive<{.max_threads = 8, .stack_bytes = 16384, .slice_us = 1000}>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;
static_assert(tessera::api::Scheduler<App::scheduler_type>);

namespace {

auto& sched() { return App::sched(); }
using Clock = App::platform::clock;

volatile bool stop = false;
volatile std::uint64_t spins[2];

void spinners() {
  stop = false;
  auto spin = [](void* which) {
    auto& mine = spins[reinterpret_cast<std::uintptr_t>(which)];
    while (!stop) mine = mine + 1;  // no yield, no call into the scheduler
  };
  auto a = sched().spawn(spin, reinterpret_cast<void*>(std::uintptr_t{0}), {.name = "spin-a"});
  auto b = sched().spawn(spin, reinterpret_cast<void*>(std::uintptr_t{1}), {.name = "spin-b"});
  CHECK(a.ok() && b.ok());
  const auto t0 = Clock::now();
  sched().sleep_for(20'000'000);  // 20 ms: only a timer interrupt brings the CPU back here
  CHECK(Clock::now() - t0 >= Clock::frequency() / 50);
  stop = true;
  CHECK(sched().join(a.value()).ok());
  CHECK(sched().join(b.value()).ok());
  std::printf("spins: %llu and %llu\n", static_cast<unsigned long long>(spins[0]),
              static_cast<unsigned long long>(spins[1]));
  CHECK(spins[0] > 0);
  CHECK(spins[1] > 0);  // a never-yielding spin-a did not keep spin-b off the CPU
}

char order[4];
int order_length = 0;

void priorities() {
  order_length = 0;
  auto record = [](void* letter) { order[order_length++] = *static_cast<const char*>(letter); };
  static const char low = 'l', high = 'h';
  // Both below the first thread's 0: neither may preempt it between the two spawns (a slice
  // can end anywhere), so they run when it blocks in join, the higher first.
  auto l = sched().spawn(record, const_cast<char*>(&low), {.priority = -5});
  auto h = sched().spawn(record, const_cast<char*>(&high), {.priority = -1});
  CHECK(sched().join(l.value()).ok());
  CHECK(sched().join(h.value()).ok());
  CHECK(order_length == 2 && order[0] == 'h' && order[1] == 'l');
}

tessera::sync::Mutex<App> mutex;
volatile int counter = 0, inside = 0, most_inside = 0;

void mutex_under_preemption() {
  auto worker = [](void*) {
    for (int i = 0; i < 200; ++i) {
      mutex.lock();
      inside = inside + 1;
      if (inside > most_inside) most_inside = inside;
      const int seen = counter;
      for (volatile int k = 0; k < 2000; ++k) {}  // long enough for slices to end inside
      counter = seen + 1;
      inside = inside - 1;
      mutex.unlock();
    }
  };
  tessera::api::ThreadId ids[3];
  for (auto& id : ids) id = sched().spawn(worker, nullptr).value_or(0);
  for (auto id : ids) CHECK(sched().join(id).ok());
  CHECK(counter == 600);
  CHECK(most_inside == 1);
}

struct Invariants {
  std::uint64_t seed;
  long bad = 0, rounds = 0;
};

void keep_invariants(void* p) {
  auto& me = *static_cast<Invariants*>(p);
  for (int round = 0; round < 2500; ++round) {
    register std::uint64_t x19 asm("x19") = me.seed ^ 19, x23 asm("x23") = me.seed ^ 23, x28 asm("x28") = me.seed ^ 28;
    register std::uint64_t x9 asm("x9") = me.seed ^ 9;  // caller-saved: only the interrupt entry keeps it
    register double d8 asm("d8") = static_cast<double>(me.seed & 0xffff) + 0.5;
    for (int k = 0; k < 50; ++k)
      asm volatile("" : "+r"(x19), "+r"(x23), "+r"(x28), "+r"(x9), "+w"(d8));  // a preemption may land here
    if (x19 != (me.seed ^ 19) || x23 != (me.seed ^ 23) || x28 != (me.seed ^ 28) || x9 != (me.seed ^ 9) ||
        d8 != static_cast<double>(me.seed & 0xffff) + 0.5)
      ++me.bad;
    if (round % 4 == 0) sched().yield();
    ++me.rounds;
  }
}

void registers_survive() {
  static Invariants threads[3] = {{0x1111'2222'3333'0001}, {0x4444'5555'6666'0002}, {0x7777'8888'9999'0003}};
  tessera::api::ThreadId ids[3];
  for (int i = 0; i < 3; ++i) ids[i] = sched().spawn(keep_invariants, &threads[i]).value_or(0);
  for (auto id : ids) CHECK(sched().join(id).ok());
  long bad = 0, rounds = 0;
  for (auto& t : threads) {
    bad += t.bad;
    rounds += t.rounds;
  }
  CHECK(rounds == 7500);
  CHECK(bad == 0);
}

int run() {
  spinners();
  priorities();
  mutex_under_preemption();
  registers_survive();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
