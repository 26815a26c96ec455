// Two members of the PRINTF choice.
// expect: more than one of CONFIG_PRINTF_INTEGER, CONFIG_PRINTF_FLOAT, CONFIG_PRINTF_DOUBLE
#include "platform.hpp"
#define CONFIG_ALLOC_REGION 1
#define CONFIG_ALLOC_REGION_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#define CONFIG_PRINTF_DOUBLE 1
#include <tessera/configured.hpp>
