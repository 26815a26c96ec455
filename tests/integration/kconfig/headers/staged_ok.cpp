// Staged with a slab application allocator and the debug checks on: the expected type.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_STAGED 1
#define CONFIG_ALLOC_STAGED_APP_SLAB 1
#define CONFIG_ALLOC_DEBUG 1
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

using Expected = tessera::alloc::Staged<tessera::alloc::Region<>,
                                        tessera::alloc::Slab<{.debug = true}, tessera::alloc::Buddy<{.debug = true}>>>;
static_assert(std::is_same_v<tessera::configured_kernel::allocator_type, Expected>);
