// The body of Kernel::boot, with the kernel's members in reach.
#include <tessera/tessera.hpp>
namespace doc {
template <class K, int (*Main)()>
struct Boot {
  using platform = typename K::platform;
  static auto& alloc() { return K::alloc(); }
  static auto& sched() { return K::sched(); }
  static auto& net() { return K::net(); }
  static auto& block() { return K::block(); }
  static void check(tessera::Result<void>, const char*) {}
  static void boot() {
@SNIPPET@
  }
};
using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;
inline int entry() { return 0; }
template struct Boot<App, &entry>;
}  // namespace doc
