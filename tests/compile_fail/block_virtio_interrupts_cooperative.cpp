// block::VirtioBlk's .interrupts (wfi with the CPU's interrupts masked) with a scheduler that
// can block: refused, saying what to do instead.
// expect: block::VirtioBlk: option .interrupts is for sched::None

#include <tessera/block/virtio_blk.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, tessera::net::None,
                            tessera::block::VirtioBlk<{.interrupts = true}>, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
