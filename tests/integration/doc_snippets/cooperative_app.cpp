// An application whose kernel runs threads (sched::Cooperative), declared before the snippet.
#include <tessera/tessera.hpp>
using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;
@SNIPPET@
