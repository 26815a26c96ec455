// Statements of an application's function.
#include <tessera/tessera.hpp>
using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;
namespace doc {
int report(tessera::Error) { return 1; }
void use(void*) {}
int function() {
@SNIPPET@
  return 0;
}
}  // namespace doc
