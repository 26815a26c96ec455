// sched::PerCore counting three cores, but nothing chosen for core 2.
// expect: exactly one scheduler for core 2 must be selected (the SCHED_CORE2 choice
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_PER_CORE 1
#define CONFIG_SCHED_CORES 3
#define CONFIG_SCHED_CORE0_COOPERATIVE 1
#define CONFIG_SCHED_CORE1_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
