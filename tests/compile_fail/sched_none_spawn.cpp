// Spawning a thread with sched::None: run to completion has no threads.
// expect: sched::None runs the application to completion on one stack and cannot start threads; use tessera::sched::Cooperative<> as the kernel's scheduler

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() {
  auto id = App::sched().spawn([](void*) {}, nullptr);
  return id.ok() ? 0 : 1;
}

TESSERA_MAIN(App, app_main)
