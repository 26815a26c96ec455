// A slab size inside Kconfig's range but not a power of two: configured.hpp names the option.
// expect: CONFIG_ALLOC_SLAB_BYTES must be a power of two of at least 4096
#include "platform.hpp"
#define CONFIG_ALLOC_SLAB 1
#define CONFIG_ALLOC_SLAB_BYTES 12288
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
