// Context-switch benchmark (hosted, run by tests/bench/sched.py for `./tessera bench sched`).
// Four ping-pongs between two threads of execution, measured in the same process and run,
// each as the best of several rounds of N round trips (a round trip = two switches):
//   yield_round_trip_ns        two sched::Cooperative threads yielding to each other through
//                              the real scheduler (ready queue, state, the switch)
//   bare_switch_round_trip_ns  tessera_context_switch alone between two stacks (callee-saved
//                              registers and the stack pointer only): the floor for yield
//   swapcontext_round_trip_ns  glibc's swapcontext (saves the signal mask: a system call)
//   futex_round_trip_ns        two std::threads handing a turn over with std::mutex and
//                              std::condition_variable (futex wait/wake, the kernel's scheduler)
// Rounds alternate between the four so that the host's slow moments spread over all of them.
// Output: one JSON object on stdout. --quick: fewer round trips (the test suite's check).

#include <ucontext.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include <tessera/tessera.hpp>

namespace {

using Kernel = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 4}>,
                               tessera::net::None, tessera::block::None, tessera::platform::Hosted>;

long round_trips = 1'000'000, futex_round_trips = 20'000;
int rounds = 7;

double now_ns() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count());
}

// ---- yield through sched::Cooperative
volatile bool partner_stop = false;
double yield_round() {
  partner_stop = false;
  auto partner = Kernel::sched().spawn(
      [](void*) {
        while (!partner_stop) Kernel::sched().yield();
      },
      nullptr);
  if (!partner) return -1;
  Kernel::sched().yield();  // the partner is running its loop from here on
  const double t0 = now_ns();
  for (long i = 0; i < round_trips; ++i) Kernel::sched().yield();
  const double t = (now_ns() - t0) / static_cast<double>(round_trips);
  partner_stop = true;
  (void)Kernel::sched().join(partner.value());
  return t;
}

// ---- the bare switch
tessera::arch::Context bare_main, bare_other;
void bare_partner(void*) {
  for (;;) tessera_context_switch(&bare_other.sp, bare_main.sp);
}
void nothing() {}
double bare_round() {
  static std::byte stack[64 * 1024];
  tessera::arch::prepare(bare_other, stack, sizeof stack, &nothing, &bare_partner, nullptr, &nothing);
  tessera_context_switch(&bare_main.sp, bare_other.sp);  // it starts and switches back
  const double t0 = now_ns();
  for (long i = 0; i < round_trips; ++i) tessera_context_switch(&bare_main.sp, bare_other.sp);
  return (now_ns() - t0) / static_cast<double>(round_trips);
}

// ---- swapcontext
ucontext_t uc_main, uc_other;
void uc_partner() {
  for (;;) swapcontext(&uc_other, &uc_main);
}
double swapcontext_round() {
  static char stack[64 * 1024];
  getcontext(&uc_other);
  uc_other.uc_stack = {.ss_sp = stack, .ss_flags = 0, .ss_size = sizeof stack};
  uc_other.uc_link = nullptr;
  makecontext(&uc_other, uc_partner, 0);
  swapcontext(&uc_main, &uc_other);
  const long n = round_trips / 10;  // ~0.5 µs each: fewer are enough
  const double t0 = now_ns();
  for (long i = 0; i < n; ++i) swapcontext(&uc_main, &uc_other);
  return (now_ns() - t0) / static_cast<double>(n);
}

// ---- std::thread + condition variable
double futex_round() {
  std::mutex m;
  std::condition_variable cv;
  int turn = 0;  // 0: main's, 1: the partner's
  std::thread partner([&] {
    for (long i = 0; i < futex_round_trips; ++i) {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return turn == 1; });
      turn = 0;
      cv.notify_one();
    }
  });
  const double t0 = now_ns();
  for (long i = 0; i < futex_round_trips; ++i) {
    std::unique_lock lock(m);
    turn = 1;
    cv.notify_one();
    cv.wait(lock, [&] { return turn == 0; });
  }
  const double t = (now_ns() - t0) / static_cast<double>(futex_round_trips);
  partner.join();
  return t;
}

int bench() {
  double best[4] = {1e300, 1e300, 1e300, 1e300};
  for (int r = 0; r < rounds; ++r) {
    const double t[4] = {yield_round(), bare_round(), swapcontext_round(), futex_round()};
    for (int i = 0; i < 4; ++i)
      if (t[i] < 0) return 1;
    for (int i = 0; i < 4; ++i) best[i] = std::min(best[i], t[i]);
  }
  std::printf(
      "{\"yield_round_trip_ns\": %.2f, \"bare_switch_round_trip_ns\": %.2f, \"swapcontext_round_trip_ns\": %.2f, "
      "\"futex_round_trip_ns\": %.1f, \"rounds\": %d, \"round_trips\": %ld, \"swapcontext_round_trips\": %ld, "
      "\"futex_round_trips\": %ld, \"scheduler\": \"%s\"}\n",
      best[0], best[1], best[2], best[3], rounds, round_trips, round_trips / 10, futex_round_trips,
      Kernel::scheduler_type::name);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0) {
    round_trips = 20'000;
    futex_round_trips = 500;
    rounds = 2;
  }
  if (!Kernel::alloc().add_region(tessera::platform::Hosted::free_memory()) || !Kernel::sched().init()) return 1;
  return Kernel::sched().run(bench);
}
