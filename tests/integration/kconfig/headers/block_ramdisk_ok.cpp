// block::Ramdisk with its size from the configuration: the expected type.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_RAMDISK 1
#define CONFIG_BLOCK_RAMDISK_BLOCKS 4096
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured::block_type, tessera::block::Ramdisk<{.blocks = 4096}>>);
