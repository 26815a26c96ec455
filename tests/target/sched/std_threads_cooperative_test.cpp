// Runs inside QEMU (aarch64 virt): std::thread, std::mutex, std::condition_variable,
// std::this_thread and atomic wait/notify on sched::Cooperative (std_threads_checks.hpp).
// The exit status is the number of failed checks.

#include <tessera/tessera.hpp>

#include "std_threads_checks.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 8}>,
                            tessera::net::None, tessera::block::None, tessera::platform::QemuVirtAarch64>;

int run() { return run_all(App::scheduler_type::name); }

TESSERA_MAIN(App, run)
