// sched::PerCore: core 0 and core 1 each wait for an event the other never sets. No core has
// anything ready or asleep, so nothing can wake anyone: the schedulers must report "all threads
// blocked on every core" and exit with status 70, not hang. (Booted with -smp 2.)

#include <cstdio>

#include <tessera/sched/per_core.hpp>
#include <tessera/sync/event.hpp>
#include <tessera/tessera.hpp>

namespace sched = tessera::sched;
using App = tessera::Kernel<tessera::alloc::Tlsf<>, sched::PerCore<sched::Cooperative<>, sched::Cooperative<>>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;

tessera::sync::Event<App> never_on_0, never_on_1;

int deadlock_main() {
  auto started = App::sched().start(1, [] {
    never_on_1.wait();
    std::printf("core 1's wait returned\n");
    return 0;
  });
  if (!started) {
    std::printf("cannot start core 1: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  std::printf("core 0 and core 1 wait for events nobody sets\n");
  never_on_0.wait();
  std::printf("core 0's wait returned\n");
  return 0;
}

TESSERA_MAIN(App, deadlock_main)
