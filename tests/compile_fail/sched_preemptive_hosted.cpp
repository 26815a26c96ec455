// sched::Preemptive on a platform without an interrupt controller and a timer (hosted).
// expect: sched::Preemptive needs a platform with an interrupt controller and a timer (platform::QemuVirtAarch64); on this platform use tessera::sched::Cooperative<>

#include <tessera/sched/preemptive.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::Preemptive<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Hosted>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
