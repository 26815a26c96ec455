// Control for the sched_none_* cases: the same calls with sched::Cooperative compile.
// expect: compiles

#include <tessera/sync/mutex.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::Cooperative<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

tessera::sync::Mutex<App> mutex;

int app_main() {
  auto id = App::sched().spawn([](void*) {}, nullptr);
  App::sched().sleep_for(1000);
  mutex.lock();
  mutex.unlock();
  return id.ok() ? 0 : 1;
}

TESSERA_MAIN(App, app_main)
