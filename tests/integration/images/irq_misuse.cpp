// An image whose timer-interrupt hook (sched::Preemptive's OnTick) calls Semaphore::acquire()
// on an empty semaphore: blocking inside an interrupt handler must be reported as misuse
// (status 70), not switch away from the interrupted thread inside its handler.

#include <cstdio>

#include <tessera/sched/preemptive.hpp>
#include <tessera/sync/semaphore.hpp>
#include <tessera/tessera.hpp>

void on_tick();

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Preemptive<{.slice_us = 1000}, &on_tick>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;

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

TESSERA_MAIN(App, misuse_main)
