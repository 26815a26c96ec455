// A value Kconfig's range would have rejected.
// expect: CONFIG_ALLOC_REGION_BYTES must be 0 (all free memory) or a positive byte count
#include "platform.hpp"
#define CONFIG_ALLOC_REGION 1
#define CONFIG_ALLOC_REGION_BYTES -1
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
