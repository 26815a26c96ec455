// SCHED_PREEMPTIVE with its three options maps to sched::Preemptive with those options
// (bare metal only: hosted has no interrupt controller; there the case checks Cooperative's).
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#if defined(TESSERA_PLATFORM_HOSTED)
#define CONFIG_SCHED_COOPERATIVE 1
#define CONFIG_SCHED_COOPERATIVE_MAX_THREADS 6
#define CONFIG_SCHED_COOPERATIVE_STACK_BYTES 4096
#else
#define CONFIG_SCHED_PREEMPTIVE 1
#define CONFIG_SCHED_PREEMPTIVE_MAX_THREADS 6
#define CONFIG_SCHED_PREEMPTIVE_STACK_BYTES 4096
#define CONFIG_SCHED_PREEMPTIVE_SLICE_US 2500
#endif
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <string_view>
#include <type_traits>

#if !defined(TESSERA_PLATFORM_HOSTED)
static_assert(std::is_same_v<tessera::configured::sched_type,
                             tessera::sched::Preemptive<{.max_threads = 6, .stack_bytes = 4096, .slice_us = 2500}>>);
static_assert(std::string_view(tessera::configured_kernel::scheduler_type::name) == "sched::Preemptive");
#endif
static_assert(tessera::configured_kernel::scheduler_type::options.max_threads == 6);
static_assert(tessera::configured_kernel::scheduler_type::options.stack_bytes == 4096);
