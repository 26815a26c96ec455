// A component template written without <>: g++'s own two errors on the `using` line, and one
// where TESSERA_MAIN names the type that could not be declared; nothing more (no cascade from
// the functions TESSERA_MAIN defines).
// expect: type/value mismatch at argument 1 in template parameter list
// expect: kernel_template_without_args.cpp:15:14: error: 'App' does not name a type
// errors: 3

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
