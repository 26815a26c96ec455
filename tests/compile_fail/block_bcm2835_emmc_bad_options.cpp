// An SD clock above default speed (the driver does not switch the card to high speed) is
// rejected with a message naming the option.
// expect: block::Bcm2835Emmc: option .transfer_hz must be 400 kHz to 25 MHz

#include <tessera/block/bcm2835_emmc.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::Bcm2835Emmc<{.transfer_hz = 50'000'000}>, tessera::platform::Raspi3>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
