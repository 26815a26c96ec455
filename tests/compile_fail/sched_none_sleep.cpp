// Sleeping with sched::None: nothing else could run meanwhile.
// expect: sched::None cannot block (sleep): there is no other thread to run meanwhile; use tessera::sched::Cooperative<>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() {
  App::sched().sleep_for(1000);
  return 0;
}

TESSERA_MAIN(App, app_main)
