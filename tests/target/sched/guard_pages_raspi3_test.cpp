// Runs inside QEMU (raspi3b): guard pages below thread stacks (guard_pages_checks.hpp) on the
// Raspberry Pi 3's compile-time tables, copied to .bss when threads start, under
// sched::Cooperative. The exit status is the number of failed checks.

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 8}>,
                            tessera::net::None, tessera::block::None, tessera::platform::Raspi3Board<>>;

#include "guard_pages_checks.hpp"

TESSERA_MAIN(App, run_all)
