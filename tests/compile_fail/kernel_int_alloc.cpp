// A type that is not an allocator in the Alloc slot.
// expect: the 1st argument (Alloc) does not model tessera::api::Allocator
// expect: kernel_int_alloc.cpp:8:

#include <tessera/tessera.hpp>

using App = tessera::Kernel<int, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
