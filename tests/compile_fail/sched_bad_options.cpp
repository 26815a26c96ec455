// A stack size below the minimum is rejected with a message naming the option.
// expect: sched::Cooperative: .stack_bytes must be at least 1024

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::Cooperative<{.stack_bytes = 512}>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
