// The Raspberry Pi's SD card driver on a platform without the BCM2835's system timer (QEMU virt):
// rejected with a sentence that says what it needs.
// expect: block::Bcm2835Emmc: the platform has no BCM2835 system timer

#include <tessera/block/bcm2835_emmc.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::Bcm2835Emmc<>, tessera::platform::QemuVirtAarch64>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
