// Runs inside QEMU (aarch64 virt, page tables built at boot): guard pages below thread stacks
// (guard_pages_checks.hpp), under sched::Preemptive. The exit status is the number of failed
// checks.

#include <tessera/sched/preemptive.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Preemptive<{.max_threads = 8}>,
                            tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirt<{.page_tables = tessera::arch::aarch64::PageTables::boot_time}>>;

#include "guard_pages_checks.hpp"

TESSERA_MAIN(App, run_all)
