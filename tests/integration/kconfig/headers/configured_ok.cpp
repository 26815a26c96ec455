// A complete, valid set of macros: configured.hpp maps them to the expected kernel type.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_REGION 1
#define CONFIG_ALLOC_REGION_BYTES 4096
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_FLOAT 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured_kernel,
                             tessera::Kernel<tessera::alloc::Region<{.bytes = 4096}>, tessera::sched::None,
                                             tessera::net::None, tessera::block::None, tessera::platform::Target>>);
static_assert(tessera::configured_kernel::allocator_type::options.bytes == 4096);
