// Preemption latency on qemu-virt-aarch64, for `./tessera bench sched`: from the timer
// interrupt that ends a thread's slice to the next thread running its own code. Run under
// QEMU with `-icount shift=0` (1 ns of virtual time per guest instruction: deterministic).
// Each sample: thread A starts (its slice is armed just before its first instruction, which
// reads the counter), spins without yielding; when its slice ends, the interrupt preempts it
// and thread B, ready behind it, reads the counter first thing. latency = B's reading -
// (A's reading + one slice); A's slice was armed a few instructions before its reading, so
// the figure errs low by those. Prints one JSON object of counter ticks.

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/tessera.hpp>

constexpr std::uint32_t slice_us = 1000;
using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Preemptive<{.max_threads = 4, .slice_us = slice_us}>,
                            tessera::net::None, tessera::block::None, tessera::platform::QemuVirtAarch64>;

namespace {

using Clock = App::platform::clock;
volatile std::uint64_t a_started, b_started;
volatile bool done;

int run() {
  constexpr int samples = 21;
  std::uint64_t latency[samples];
  const std::uint64_t slice_ticks = Clock::frequency() * slice_us / 1'000'000;
  for (auto& l : latency) {
    done = false;
    auto a = App::sched().spawn(
        [](void*) {
          a_started = Clock::now();
          while (!done) {}
        },
        nullptr);
    auto b = App::sched().spawn(
        [](void*) {
          b_started = Clock::now();
          done = true;
        },
        nullptr);
    if (!a || !b || !App::sched().join(b.value()) || !App::sched().join(a.value())) return 1;
    // The slice starts when A is switched in, a little before A reads the clock; when the host
    // delays A's first instructions, B can start less than a slice after a_started. That is the
    // measurement's error, not a negative latency: 0 (unsigned, it would wrap to ~2^64).
    const std::uint64_t due = a_started + slice_ticks;
    l = b_started > due ? b_started - due : 0;
  }
  std::sort(latency, latency + samples);
  std::printf("{\"samples\": %d, \"frequency\": %llu, \"slice_us\": %u, \"latency_ticks_min\": %llu, "
              "\"latency_ticks_median\": %llu, \"latency_ticks_max\": %llu}\n",
              samples, static_cast<unsigned long long>(Clock::frequency()), slice_us,
              static_cast<unsigned long long>(latency[0]), static_cast<unsigned long long>(latency[samples / 2]),
              static_cast<unsigned long long>(latency[samples - 1]));
  return 0;
}

}  // namespace

TESSERA_MAIN(App, run)
