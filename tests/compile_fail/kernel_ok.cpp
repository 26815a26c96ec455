// Control: a correct kernel type must compile with the same command line as the failing
// cases, so a broken command line is not mistaken for the expected failure.
// expect: compiles

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
