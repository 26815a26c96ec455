// An allocator where the scheduler belongs.
// expect: the 2nd argument (Sched) does not model tessera::api::Scheduler
// expect: kernel_bad_sched.cpp:8:

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::alloc::Region<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
