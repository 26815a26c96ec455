// The block device and network slots swapped.
// expect: the 3rd argument (Net) does not model tessera::api::NetDevice
// expect: kernel_bad_net.cpp:8:

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::block::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
