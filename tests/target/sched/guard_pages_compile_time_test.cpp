// Runs inside QEMU (aarch64 virt, compile-time page tables: the default): guard pages below
// thread stacks (guard_pages_checks.hpp), under sched::Cooperative. The exit status is the
// number of failed checks.

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 8}>,
                            tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirt<{.page_tables = tessera::arch::aarch64::PageTables::compile_time}>>;

#include "guard_pages_checks.hpp"

TESSERA_MAIN(App, run_all)
