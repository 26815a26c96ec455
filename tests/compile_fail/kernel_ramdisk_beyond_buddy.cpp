// A RAM disk (one block of the page allocator: 8192 x 512 bytes = 4 MiB) behind alloc::Slab
// whose page allocator is an alloc::Buddy with 2 MiB blocks at most (4 KiB << 9).
// expect: the block device's storage is one block of the page allocator
// expect: kernel_ramdisk_beyond_buddy.cpp:10:

#include <tessera/block/ramdisk.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Slab<{}, tessera::alloc::Buddy<{.max_order = 9}>>, tessera::sched::None,
                            tessera::net::None, tessera::block::Ramdisk<{.blocks = 8192}>, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
