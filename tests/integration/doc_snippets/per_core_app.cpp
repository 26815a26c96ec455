// platforms: qemu-virt-aarch64
// An application with a scheduler per core (sched::PerCore), declared before the snippet.
#include <tessera/sched/per_core.hpp>
#include <tessera/tessera.hpp>
using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            tessera::sched::PerCore<tessera::sched::Cooperative<>, tessera::sched::None>,
                            tessera::net::None, tessera::block::None, tessera::platform::Target>;
@SNIPPET@
TESSERA_MAIN(App, app_main)
