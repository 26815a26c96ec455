// A header that selects sched::Preemptive but lacks one of its options (an older configuration).
// expect: CONFIG_SCHED_PREEMPTIVE is set but CONFIG_SCHED_PREEMPTIVE_SLICE_US is missing
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_PREEMPTIVE 1
#define CONFIG_SCHED_PREEMPTIVE_MAX_THREADS 16
#define CONFIG_SCHED_PREEMPTIVE_STACK_BYTES 16384
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
