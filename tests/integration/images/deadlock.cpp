// An image whose threads all end up waiting with nobody asleep: the scheduler must report
// "all threads blocked" (with each thread's name and state) and exit with status 70, not hang.

#include <cstdio>

#include <tessera/sync/event.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 4}>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

tessera::sync::Event<App> never;

int deadlock_main() {
  auto worker = App::sched().spawn([](void*) { never.wait(); }, nullptr, {.name = "worker"});
  if (!worker) return 1;
  std::printf("both threads wait for an event nobody sets\n");
  never.wait();
  std::printf("the wait returned\n");
  return 0;
}

TESSERA_MAIN(App, deadlock_main)
