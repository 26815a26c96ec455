// A platform header's body (aarch64), next to the real platform: in a namespace of its own.
// platforms: qemu-virt-aarch64
#include <tessera/tessera.hpp>
namespace tessera::platform::doc {
@SNIPPET@
}  // namespace tessera::platform::doc
