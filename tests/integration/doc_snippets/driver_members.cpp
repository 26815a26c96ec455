// Members of a bound component (a recipe's bind<K>), instantiated with a kernel that runs
// threads and with one that does not.
#include <tessera/tessera.hpp>
namespace doc {
template <class K>
struct Driver {
  bool frame_waiting() { return true; }
@SNIPPET@
};
using Threads = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, tessera::net::None,
                                tessera::block::None, tessera::platform::Target>;
using RunToCompletion = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None,
                                        tessera::block::None, tessera::platform::Target>;
template struct Driver<Threads>;
template struct Driver<RunToCompletion>;
}  // namespace doc
