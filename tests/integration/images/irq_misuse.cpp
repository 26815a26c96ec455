// An image whose timer-interrupt hook (sched::Preemptive's OnTick) calls Semaphore::acquire()
// on an empty semaphore: blocking inside an interrupt handler must be reported as misuse
// (status 70), not switch away from the interrupted thread inside its handler. With
// TESSERA_TEST_PER_CORE the preemptive scheduler is core 1's under sched::PerCore (-smp 2):
// the report must come from there too, while core 0 waits to join core 1.

#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/semaphore.hpp>
#include <tessera/tessera.hpp>
#ifdef TESSERA_TEST_PER_CORE
#include <tessera/sched/per_core.hpp>
#endif

void on_tick();

#ifdef TESSERA_TEST_PER_CORE
using Scheduler = tessera::sched::PerCore<tessera::sched::Cooperative<>,
                                          tessera::sched::Preemptive<{.slice_us = 1000}, &on_tick>>;
#else
using Scheduler = tessera::sched::Preemptive<{.slice_us = 1000}, &on_tick>;
#endif
using App = tessera::Kernel<tessera::alloc::Tlsf<>, Scheduler, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

namespace {
tessera::sync::Semaphore<App> empty;
volatile bool armed = false;  // after the first line is out
}

void on_tick() {
  if (armed) empty.acquire();
}

int misuse_main() {
  std::printf("the timer interrupt will wait on an empty semaphore\n");
  armed = true;
  App::sched().sleep_for(50'000'000);
  std::printf("the handler blocked unnoticed\n");
  return 0;
}

#ifdef TESSERA_TEST_PER_CORE
int per_core_main() {
  if (auto started = App::sched().start(1, &misuse_main); !started) {
    std::printf("core 1 did not start: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  (void)App::sched().join_core(1);
  std::printf("core 1 returned\n");
  return 0;
}
TESSERA_MAIN(App, per_core_main)
#else
TESSERA_MAIN(App, misuse_main)
#endif
