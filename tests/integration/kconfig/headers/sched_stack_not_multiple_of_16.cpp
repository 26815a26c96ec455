// A stack size inside Kconfig's range but not a multiple of 16: configured.hpp names the option.
// expect: CONFIG_SCHED_COOPERATIVE_STACK_BYTES must be a multiple of 16 of at least 1024
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_COOPERATIVE 1
#define CONFIG_SCHED_COOPERATIVE_MAX_THREADS 16
#define CONFIG_SCHED_COOPERATIVE_STACK_BYTES 4100
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
