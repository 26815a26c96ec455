// A baud rate the Raspberry Pi 3's UARTs cannot make is rejected with a message naming the option.
// expect: platform::Raspi3Board: option .baud must be 300 to 4,000,000

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Raspi3Board<{.baud = 0}>>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
