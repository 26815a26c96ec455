// Found by configfuzz's kconfig stage (hosted, seed 17771351, configuration 4: a panic at boot,
// "network device: init: out of memory"): net::Loopback's packet buffers (3016 x 1520 bytes,
// one block of the general allocator) beyond alloc::Buddy's largest block (4 KiB << 10).
// expect: the network device's packet buffers are one block of the page allocator
// expect: kernel_loopback_beyond_buddy.cpp:11:

#include <tessera/net/loopback.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Buddy<{.max_order = 10}>, tessera::sched::None,
                            tessera::net::Loopback<{.buffers = 3016}>, tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
