// Members of a class shaped like tessera::Kernel.
#include <tessera/tessera.hpp>
namespace doc {
using tessera::bound_t;
template <class Alloc, class Sched, class Net, class Block, class Platform>
class Kernel {
@SNIPPET@
};
template class Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                      tessera::platform::Target>;
}  // namespace doc
