// Guest instructions per context switch on qemu-virt-aarch64, for `./tessera bench sched`.
// Run under QEMU with `-icount shift=0`: every guest instruction advances virtual time by
// 1 ns, so the generic counter (62.5 MHz: 16 ns a tick) counts instructions in sixteens and
// the figure is deterministic. Two sched::Cooperative threads yield to each other N times
// (a round trip is two switches); the same for the bare tessera_context_switch; and the
// issue's futex ping-pong on tessera: the first thread and a std::thread hand a turn back and
// forth with std::mutex and std::condition_variable (libstdc++'s own, on tessera's futex).
// Prints one JSON object: counter ticks, round trips, and instructions per switch (per round
// trip for the ping-pong) for each.

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 4}>,
                            tessera::net::None, tessera::block::None, tessera::platform::QemuVirtAarch64>;

namespace {

constexpr long round_trips = 10000;
using Clock = App::platform::clock;

volatile bool stop = false;

tessera::arch::Context bare_main, bare_other;
void bare_partner(void*) {
  for (;;) tessera_context_switch(&bare_other.sp, bare_main.sp);
}
void nothing() {}
alignas(16) std::byte bare_stack[16384];

double per_switch(std::uint64_t ticks) {
  return static_cast<double>(ticks) * (1e9 / static_cast<double>(Clock::frequency())) / (2.0 * round_trips);
}

// The std:: ping-pong: `turn` says whose move it is; each waits on the condition variable
// until it is its own.
constexpr long futex_round_trips = 2000;
std::mutex turn_lock;
std::condition_variable turn_changed;
int turn = 0;

std::uint64_t futex_ping_pong() {
  std::thread partner([] {
    for (long i = 0; i < futex_round_trips; ++i) {
      std::unique_lock<std::mutex> lock(turn_lock);
      turn_changed.wait(lock, [] { return turn == 1; });
      turn = 0;
      turn_changed.notify_one();
    }
  });
  const auto t0 = Clock::now();
  for (long i = 0; i < futex_round_trips; ++i) {
    std::unique_lock<std::mutex> lock(turn_lock);
    turn = 1;
    turn_changed.notify_one();
    turn_changed.wait(lock, [] { return turn == 0; });
  }
  const auto ticks = Clock::now() - t0;
  partner.join();
  return ticks;
}

int run() {
  auto partner = App::sched().spawn(
      [](void*) {
        while (!stop) App::sched().yield();
      },
      nullptr);
  if (!partner) return 1;
  App::sched().yield();  // the partner is in its loop
  const auto t0 = Clock::now();
  for (long i = 0; i < round_trips; ++i) App::sched().yield();
  const auto yield_ticks = Clock::now() - t0;
  stop = true;
  if (!App::sched().join(partner.value())) return 1;

  tessera::arch::prepare(bare_other, bare_stack, sizeof bare_stack, &nothing, &bare_partner, nullptr, &nothing);
  tessera_context_switch(&bare_main.sp, bare_other.sp);
  const auto t1 = Clock::now();
  for (long i = 0; i < round_trips; ++i) tessera_context_switch(&bare_main.sp, bare_other.sp);
  const auto bare_ticks = Clock::now() - t1;

  const auto futex_ticks = futex_ping_pong();
  const double ns_per_tick = 1e9 / static_cast<double>(Clock::frequency());

  // %d with whole numbers: the integer printf has no %f.
  std::printf("{\"yield_ticks\": %llu, \"bare_ticks\": %llu, \"round_trips\": %ld, \"frequency\": %llu, "
              "\"guest_insns_per_switch_x100\": %llu, \"bare_guest_insns_per_switch_x100\": %llu, "
              "\"guest_insns_per_futex_round_trip\": %llu}\n",
              static_cast<unsigned long long>(yield_ticks), static_cast<unsigned long long>(bare_ticks), round_trips,
              static_cast<unsigned long long>(Clock::frequency()),
              static_cast<unsigned long long>(per_switch(yield_ticks) * 100),
              static_cast<unsigned long long>(per_switch(bare_ticks) * 100),
              static_cast<unsigned long long>(static_cast<double>(futex_ticks) * ns_per_tick / futex_round_trips));
  return 0;
}

}  // namespace

TESSERA_MAIN(App, run)
