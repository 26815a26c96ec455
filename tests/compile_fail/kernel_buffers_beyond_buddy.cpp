// A network device whose packet buffers (one block of the page allocator: 4096 x 2 KiB = 8 MiB)
// are larger than alloc::Buddy's largest block (4 KiB << 10 = 4 MiB): found by configfuzz as a
// panic at boot; now the kernel type says which options to change.
// expect: the network device's packet buffers are one block of the page allocator
// expect: kernel_buffers_beyond_buddy.cpp:11:

#include <tessera/net/virtio_net.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Buddy<{.max_order = 10}>, tessera::sched::None,
                            tessera::net::VirtioNet<{.buffers = 4096}>, tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
