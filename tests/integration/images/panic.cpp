// An image that panics on purpose, as a component would on an unrecoverable error.

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int panic_main() {
  std::printf("about to panic\n");
  App::panic("integration test", tessera::Error::io_error);
}

TESSERA_MAIN(App, panic_main)
