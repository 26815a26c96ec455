// smp-demo: four cores, four ways of running code, one kernel type.
//
//   core 0  sched::Cooperative   the application's entry and three worker threads that
//                                yield to each other
//   core 1  sched::None          a run-to-completion event loop: it takes the numbers cores
//                                2 and 3 post, adds them up, and when all have come, wakes the
//                                entry on core 0 (a wake-up across cores, from a core that
//                                has no threads)
//   core 2  sched::Preemptive    two threads each, which never yield: the timer interrupt
//   core 3  sched::Preemptive    shares the core between them
//
// Each core prints one line "core <n>: <scheduler> …"; the entry checks every result and
// exits 0 ("smp-demo: ok"), or 1 with what was wrong. ./tessera run smp-demo boots it on
// QEMU with -smp 4; with fewer cores, starting one fails and the demo says so.

#include <cstdarg>
#include <cstdint>
#include <cstdio>

#include <tessera/sched/per_core.hpp>
#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/event.hpp>
#include <tessera/sync/spinlock.hpp>
#include <tessera/tessera.hpp>

namespace sched = tessera::sched;
using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            sched::PerCore<sched::Cooperative<>, sched::None, sched::Preemptive<{.slice_us = 1000}>,
                                           sched::Preemptive<{.slice_us = 1000}>>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;

namespace {

constexpr unsigned producers = 4;               // two threads on each of cores 2 and 3
constexpr std::uint64_t items_per_producer = 1000;
constexpr std::uint64_t expected_sum = producers * items_per_producer * (items_per_producer + 1) / 2;

tessera::sync::Spinlock print_lock;  // one line at a time from four cores
void say(const char* format, ...) {
  char line[160];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  tessera::sync::LockGuard<tessera::sync::Spinlock> one_line(print_lock);
  App::platform::console::write(line, n < 0 ? 0 : (n < static_cast<int>(sizeof line) ? n : sizeof line - 1));
}

// Cores 2 and 3 post numbers to core 1 through this ring (one spinlock, short sections).
struct Ring {
  tessera::sync::Spinlock lock;
  std::uint64_t slots[64];
  unsigned head = 0, tail = 0;
  bool put(std::uint64_t value) {
    tessera::sync::LockGuard<tessera::sync::Spinlock> held(lock);
    if (head - tail == 64) return false;
    slots[head++ % 64] = value;
    return true;
  }
  bool take(std::uint64_t& value) {
    tessera::sync::LockGuard<tessera::sync::Spinlock> held(lock);
    if (head == tail) return false;
    value = slots[tail++ % 64];
    return true;
  }
} ring;

tessera::sync::Event<App> all_summed;  // set by core 1, waited for on core 0
std::uint64_t sum = 0;                 // core 1's result
std::uint64_t events = 0;

// ---- core 0: cooperative workers
struct Worker {
  unsigned id;
  unsigned rounds = 0;
};
unsigned turn_log[12];
unsigned turns = 0;
void worker(void* argument) {
  auto& self = *static_cast<Worker*>(argument);
  for (int i = 0; i < 4; ++i) {
    if (turns < 12) turn_log[turns++] = self.id;
    ++self.rounds;
    App::sched().yield();
  }
}

// ---- core 1: the event loop
int event_loop() {
  say("core 1: %s, an event loop adding up what cores 2 and 3 post\n", App::scheduler_type::core_scheduler_name(1));
  const std::uint64_t wanted = producers * items_per_producer;
  while (events < wanted) {
    std::uint64_t value;
    if (ring.take(value)) {
      sum += value;
      ++events;
    }
  }
  all_summed.set();  // wakes core 0's entry: a signal to core 0
  return 0;
}

// ---- cores 2 and 3: preemptive producers that never yield
struct Producer {
  Producer* sibling;               // the other thread on the same core
  volatile std::uint64_t posted = 0;
  std::uint64_t sibling_posted_at_end = 0;
  volatile bool finished = false;
};
Producer producer_state[producers];

void produce(void* argument) {
  auto& self = *static_cast<Producer*>(argument);
  for (std::uint64_t i = 1; i <= items_per_producer; ++i) {
    for (int work = 0; work < 300; ++work) asm volatile("" ::: "memory");  // something to do between posts
    while (!ring.put(i)) {}  // spin, never yield: only preemption lets the other thread run
    self.posted = i;
  }
  // Still without yielding, wait (at most 2 s) until the sibling has posted something: only
  // preemption can let it run meanwhile.
  using Clock = App::platform::clock;
  const std::uint64_t give_up = Clock::now() + Clock::frequency() * 2;
  while (self.sibling->posted == 0 && Clock::now() < give_up) {}
  self.sibling_posted_at_end = self.sibling->posted;
  self.finished = true;
}

int preemptive_core() {
  const unsigned core = App::platform::core_id();
  Producer* mine = &producer_state[(core - 2) * 2];
  say("core %u: %s, two threads that never yield (time slices of 1 ms)\n", core,
      App::scheduler_type::core_scheduler_name(core));
  tessera::api::ThreadId ids[2];
  for (int t = 0; t < 2; ++t) {
    mine[t].sibling = &mine[1 - t];
    auto id = App::sched().spawn(&produce, &mine[t], {.name = "producer"});
    if (!id) return 10 + t;
    ids[t] = id.value();
  }
  for (auto id : ids)
    if (!App::sched().join(id)) return 20;
  const std::uint64_t first_saw = mine[0].sibling_posted_at_end < mine[1].sibling_posted_at_end
                                      ? mine[0].sibling_posted_at_end
                                      : mine[1].sibling_posted_at_end;
  say("core %u: preempted: %s (the first producer to finish saw the other post %llu of %llu)\n", core,
      first_saw > 0 ? "yes" : "no", static_cast<unsigned long long>(first_saw),
      static_cast<unsigned long long>(items_per_producer));
  return first_saw > 0 ? 0 : 30;
}

int demo_main() {
  say("core 0: %s, the entry and three workers that yield\n", App::scheduler_type::core_scheduler_name(0));
  int failures = 0;
  auto& s = App::sched();
  if (auto started = s.start(1, &event_loop); !started) {
    say("smp-demo: cannot start core 1: %s (QEMU needs -smp 4: ./tessera run smp-demo)\n",
        tessera::to_string(started.error()));
    return 1;
  }
  for (unsigned core = 2; core < 4; ++core)
    if (auto started = s.start(core, &preemptive_core); !started) {
      say("smp-demo: cannot start core %u: %s\n", core, tessera::to_string(started.error()));
      return 1;
    }

  Worker workers[3] = {{1}, {2}, {3}};
  tessera::api::ThreadId ids[3];
  for (int i = 0; i < 3; ++i) ids[i] = s.spawn(&worker, &workers[i], {.name = "worker"}).value();
  for (auto id : ids) (void)s.join(id);
  bool round_robin = true;  // 1 2 3 1 2 3 …, four rounds each
  for (auto& w : workers) round_robin = round_robin && w.rounds == 4;
  for (unsigned i = 0; i < 12; ++i) round_robin = round_robin && turn_log[i] == i % 3 + 1;
  if (!round_robin) ++failures;

  all_summed.wait();  // core 1 wakes us
  for (unsigned core = 1; core < 4; ++core) {
    auto status = s.join_core(core);
    if (!status || status.value() != 0) {
      say("smp-demo: core %u ended with %d\n", core, status ? status.value() : -1);
      ++failures;
    }
  }
  say("core 0: workers took turns 1 2 3 1 2 3 …: %s\n", round_robin ? "yes" : "no");
  say("core 1: %llu numbers summed to %llu (expected %llu)\n", static_cast<unsigned long long>(events),
      static_cast<unsigned long long>(sum), static_cast<unsigned long long>(expected_sum));
  if (sum != expected_sum) ++failures;
  for (auto& p : producer_state)
    if (!p.finished || p.posted != items_per_producer) ++failures;
  say(failures == 0 ? "smp-demo: ok\n" : "smp-demo: %d checks failed\n", failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

TESSERA_MAIN(App, demo_main)
