// Statements of an application's function, with a network device (net::Loopback) in its kernel.
#include <array>
#include <span>

#include <tessera/net/loopback.hpp>
#include <tessera/tessera.hpp>
using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::Loopback<>,
                            tessera::block::None, tessera::platform::Target>;
namespace doc {
int function() {
@SNIPPET@
  return 0;
}
}  // namespace doc
