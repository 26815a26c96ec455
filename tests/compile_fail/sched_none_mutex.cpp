// A mutex in a kernel whose scheduler cannot block.
// expect: tessera::sync::Mutex needs a scheduler that can block; the kernel's (sched::None) cannot: use tessera::sched::Cooperative<>

#include <tessera/sync/mutex.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

tessera::sync::Mutex<App> mutex;

int app_main() {
  mutex.lock();
  mutex.unlock();
  return 0;
}

TESSERA_MAIN(App, app_main)
