// Runs inside QEMU (aarch64 virt, -smp 4 and -smp 1; raspi3b, four cores): sched::PerCore with cooperative threads
// on core 0, run to completion on core 1, preemptive threads on cores 2 and 3. Every core
// reports; wake-ups cross cores both ways (semaphore ping-pong between core 0 and core 3, an
// event set by core 1, which has no threads); a sync::Mutex and a Spinlock keep counts exact
// under contention from all cores; malloc from four cores at once; a thread spawned onto
// another core runs there (spawned while that core may still be starting: its first thread
// and the spawn compete for the same slots), spawning onto a core not started or finished is
// refused; blocking and spawning on the sched::None core are refused; with
// -smp 1, starting core 1 says the machine has no such core. Only core 0 checks (CHECK
// prints); the others leave their results in memory. The exit status is the number of
// failed checks.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <tessera/alloc/tlsf.hpp>
#include <tessera/sched/per_core.hpp>
#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/event.hpp>
#include <tessera/sync/mutex.hpp>
#include <tessera/sync/semaphore.hpp>
#include <tessera/sync/spinlock.hpp>
#include <tessera/tessera.hpp>

#include "../check.hpp"

namespace sched = tessera::sched;
using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            sched::PerCore<sched::Cooperative<{.max_threads = 8}>, sched::None,
                                           sched::Preemptive<{.max_threads = 8, .slice_us = 500}>,
                                           sched::Preemptive<{.max_threads = 8, .slice_us = 500}>>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;
static_assert(tessera::api::Scheduler<App::scheduler_type>);
static_assert(App::cores == 4);

namespace {

auto& s() { return App::sched(); }
using Clock = App::platform::clock;

// ---- what each core reports
unsigned reported_core[4];
const char* reported_scheduler[4];
void report() {
  const unsigned core = App::platform::core_id();
  reported_core[core] = core + 1;  // 0: never reported
  reported_scheduler[core] = App::scheduler_type::core_scheduler_name(core);
}

// ---- counting under contention: a sleeping mutex (cores 0, 2, 3) and a spinlock (all four)
constexpr int rounds = 2000;
tessera::sync::Mutex<App> mutex;
tessera::sync::Spinlock spinlock;
std::uint64_t mutex_count = 0, spin_count = 0;  // plain: only the locks make them exact
void count_under_locks() {
  for (int i = 0; i < rounds; ++i) {
    mutex.lock();
    const auto seen = mutex_count;
    asm volatile("" ::: "memory");
    mutex_count = seen + 1;
    mutex.unlock();
    spinlock.lock();
    spin_count = spin_count + 1;
    spinlock.unlock();
  }
}
void count_with_spinlock_only() {
  for (int i = 0; i < rounds; ++i) {
    spinlock.lock();
    spin_count = spin_count + 1;
    spinlock.unlock();
  }
}

// ---- ping-pong between core 0 and core 3: each side waits, the other wakes it
constexpr int pings = 300;
tessera::sync::Semaphore<App> ping{0}, pong{0};
int pongs_sent = 0;

// ---- malloc from every core at once
bool heap_ok[4] = {true, true, true, true};
void hammer_heap() {
  const unsigned core = App::platform::core_id();
  void* blocks[16] = {};
  for (int round = 0; round < 200; ++round) {
    const int i = round % 16;
    if (blocks[i]) {
      auto* bytes = static_cast<unsigned char*>(blocks[i]);
      for (int b = 0; b < 48; ++b)
        if (bytes[b] != static_cast<unsigned char>(core * 16 + i)) heap_ok[core] = false;
      std::free(blocks[i]);
    }
    blocks[i] = std::malloc(48 + round % 100);
    if (!blocks[i]) heap_ok[core] = false;
    else std::memset(blocks[i], static_cast<int>(core * 16 + i), 48);
  }
  for (auto* b : blocks) std::free(b);
}

// ---- core 1: run to completion
tessera::sync::Event<App> core1_done;
bool core1_spawn_refused = false;
int core1_main() {
  report();
  core1_spawn_refused = s().spawn([](void*) {}, nullptr).error() == tessera::Error::not_supported;
  count_with_spinlock_only();
  hammer_heap();
  core1_done.set();  // a wake-up from a core without threads
  return 11;
}

// ---- cores 2 and 3: preemptive threads that never yield
struct Spinner {
  volatile std::uint64_t progress = 0;
  std::uint64_t other_at_end = 0;
  Spinner* other = nullptr;
};
Spinner spinners[4];  // two per core
// Spins, never yielding, until the other thread of its core has made progress too (only
// preemption lets it run meanwhile) or 2 s have passed. Counting progress, not time: a loaded
// host may stop a QEMU core for longer than a slice.
void spin(void* argument) {
  auto& self = *static_cast<Spinner*>(argument);
  const std::uint64_t give_up = Clock::now() + Clock::frequency() * 2;
  while ((self.other->progress < 1000 || self.progress < 1000) && Clock::now() < give_up)
    self.progress = self.progress + 1;
  self.other_at_end = self.other->progress;
}
bool interleaved[4];
unsigned spawned_here_on[4];  // the core a thread spawned onto core 3 from core 0 ran on

int preemptive_main() {
  report();
  const unsigned core = App::platform::core_id();
  Spinner* pair = &spinners[(core - 2) * 2];
  pair[0].other = &pair[1];
  pair[1].other = &pair[0];
  tessera::api::ThreadId ids[2];
  for (int t = 0; t < 2; ++t) ids[t] = s().spawn(&spin, &pair[t], {.name = "spinner"}).value_or(0);
  for (auto id : ids)
    if (!s().join(id)) return 1;
  interleaved[core] = pair[0].other_at_end > 0 && pair[1].other_at_end > 0;
  count_under_locks();
  hammer_heap();
  if (core == 3)
    for (int i = 0; i < pings; ++i) {
      ping.acquire();  // core 0 wakes us
      ++pongs_sent;
      pong.release();  // we wake core 0
    }
  return static_cast<int>(core) * 10 + 1;
}

void single_core_checks() {
  // -smp 1: the other cores do not exist.
  auto started = s().start(1, &core1_main);
  CHECK(!started && started.error() == tessera::Error::not_supported);
  report();
  CHECK(reported_core[0] == 1);
  // Core 0's scheduler works as alone.
  static bool ran = false;
  auto id = s().spawn([](void*) { ran = true; }, nullptr);
  CHECK(id.ok());
  CHECK(s().join(id.value()).ok());
  CHECK(ran);
}

int test_main() {
  std::printf("sched::PerCore: %u cores configured\n", App::cores);
  // Bad arguments first.
  CHECK(s().start(0, &core1_main).error() == tessera::Error::invalid_argument);
  CHECK(s().start(4, &core1_main).error() == tessera::Error::invalid_argument);
  CHECK(s().join_core(1).error() == tessera::Error::invalid_argument);  // not started
  // Onto a core not started: it would never run.
  CHECK(s().spawn([](void*) {}, nullptr, {.core = 2}).error() == tessera::Error::invalid_argument);

  if (auto started = s().start(1, &core1_main); !started) {
    std::printf("# one core only (QEMU -smp 1): %s\n", tessera::to_string(started.error()));
    single_core_checks();
    return tessera::test::failures;
  }
  CHECK(s().start(1, &core1_main).error() == tessera::Error::invalid_argument);  // already started
  CHECK(s().start(2, &preemptive_main).ok());
  CHECK(s().start(3, &preemptive_main).ok());
  report();

  // A thread spawned from core 0 onto core 3 runs there.
  auto remote = s().spawn([](void* out) { *static_cast<unsigned*>(out) = App::platform::core_id() + 1; },
                          &spawned_here_on[3], {.name = "remote", .core = 3});
  CHECK(remote.ok());
  CHECK(s().join(remote.value()).error() == tessera::Error::not_supported);  // another core's thread

  // Core 0's part of the counting, from two threads (they block on the mutex too).
  auto worker = [](void*) { count_under_locks(); };
  auto w = s().spawn(worker, nullptr, {.name = "counter"});
  CHECK(w.ok());
  count_under_locks();
  CHECK(s().join(w.value()).ok());
  hammer_heap();

  for (int i = 0; i < pings; ++i) {
    ping.release();  // wakes core 3's thread
    pong.acquire();  // core 3 wakes us
  }
  core1_done.wait();

  auto status1 = s().join_core(1), status2 = s().join_core(2), status3 = s().join_core(3);
  CHECK(status1.ok() && status1.value() == 11);
  CHECK(status2.ok() && status2.value() == 21);
  CHECK(status3.ok() && status3.value() == 31);
  CHECK(s().join_core(2).ok());  // a finished core's status stays
  // Onto a core whose entry has returned: nothing runs there any more.
  CHECK(s().spawn([](void*) {}, nullptr, {.core = 2}).error() == tessera::Error::invalid_argument);

  for (unsigned core = 0; core < 4; ++core) {
    std::printf("# core %u reported %u as %s\n", core, reported_core[core] - 1,
                reported_scheduler[core] ? reported_scheduler[core] : "(nothing)");
    CHECK(reported_core[core] == core + 1);
  }
  CHECK(std::strcmp(reported_scheduler[0], "sched::Cooperative") == 0);
  CHECK(std::strcmp(reported_scheduler[1], "sched::None") == 0);
  CHECK(std::strcmp(reported_scheduler[2], "sched::Preemptive") == 0);
  CHECK(std::strcmp(reported_scheduler[3], "sched::Preemptive") == 0);
  CHECK(interleaved[2]);  // preemption with no yield in the threads, on each preemptive core
  CHECK(interleaved[3]);
  CHECK(core1_spawn_refused);
  CHECK(spawned_here_on[3] == 3 + 1);
  CHECK(pongs_sent == pings);
  std::printf("# mutex count %llu, spinlock count %llu\n", static_cast<unsigned long long>(mutex_count),
              static_cast<unsigned long long>(spin_count));
  CHECK(mutex_count == 4u * rounds);  // core 0 (two threads), core 2, core 3
  CHECK(spin_count == 5u * rounds);   // and core 1
  for (bool ok : heap_ok) CHECK(ok);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, test_main)
