// sched::PerCore from the configuration: three cores, each with the scheduler its SCHED_COREn
// choice names and the shared cooperative and preemptive options.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_PER_CORE 1
#define CONFIG_SCHED_CORES 3
#define CONFIG_SCHED_CORE0_COOPERATIVE 1
#define CONFIG_SCHED_CORE1_NONE 1
#define CONFIG_SCHED_CORE2_PREEMPTIVE 1
#define CONFIG_SCHED_COOPERATIVE_MAX_THREADS 8
#define CONFIG_SCHED_COOPERATIVE_STACK_BYTES 8192
#define CONFIG_SCHED_PREEMPTIVE_MAX_THREADS 4
#define CONFIG_SCHED_PREEMPTIVE_STACK_BYTES 4096
#define CONFIG_SCHED_PREEMPTIVE_SLICE_US 0x3e8
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
#include <type_traits>
namespace s = tessera::sched;
static_assert(std::is_same_v<tessera::configured::sched_type,
                             s::PerCore<s::Cooperative<{.max_threads = 8, .stack_bytes = 8192}>, s::None,
                                        s::Preemptive<{.max_threads = 4, .stack_bytes = 4096, .slice_us = 1000}>>>);
