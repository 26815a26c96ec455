// Runs inside QEMU (aarch64 virt): std::thread, std::mutex, std::condition_variable,
// std::this_thread and atomic wait/notify on sched::Preemptive with 1 ms slices, so threads
// are also interrupted inside their critical sections (std_threads_checks.hpp), plus spinning
// threads that never yield and share a std::mutex. The exit status is the number of failed
// checks.

#include <tessera/sched/preemptive.hpp>
#include <tessera/tessera.hpp>

#include "std_threads_checks.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            tessera::sched::Preemptive<{.max_threads = 8, .stack_bytes = 16384, .slice_us = 1000}>,
                            tessera::net::None, tessera::block::None, tessera::platform::QemuVirtAarch64>;

namespace {

// No yield anywhere: only the timer interrupt switches, also while a thread holds the mutex.
void mutex_without_yields() {
  static std::mutex m;
  static volatile int counter = 0, inside = 0, most_inside = 0;
  counter = 0;
  inside = 0;
  most_inside = 0;
  auto work = [] {
    for (int i = 0; i < 200; ++i) {
      std::lock_guard<std::mutex> hold(m);
      inside = inside + 1;
      if (inside > most_inside) most_inside = inside;
      const int seen = counter;
      for (int k = 0; k < 3000; ++k) asm volatile("");  // long enough for slices to end inside
      counter = seen + 1;
      inside = inside - 1;
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  CHECK(counter == 400);
  CHECK(most_inside == 1);
}

int run() {
  mutex_without_yields();
  return run_all(App::scheduler_type::name);
}

}  // namespace

TESSERA_MAIN(App, run)
