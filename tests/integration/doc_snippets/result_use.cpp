// Code that returns and tests tessera::Result, with an allocator's state and an application's
// helpers in reach.
#include <tessera/tessera.hpp>
using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;
namespace doc {
std::size_t remaining = 0;
void* pointer = nullptr;
int report(tessera::Error) { return 1; }
void use(void*) {}
@SNIPPET@
}  // namespace doc
