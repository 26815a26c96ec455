// SCHED_COOPERATIVE with its two options maps to sched::Cooperative with those options.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_COOPERATIVE 1
#define CONFIG_SCHED_COOPERATIVE_MAX_THREADS 5
#define CONFIG_SCHED_COOPERATIVE_STACK_BYTES 8192
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured::sched_type,
                             tessera::sched::Cooperative<{.max_threads = 5, .stack_bytes = 8192}>>);
static_assert(tessera::configured_kernel::scheduler_type::options.max_threads == 5);
static_assert(tessera::configured_kernel::scheduler_type::options.stack_bytes == 8192);
static_assert(tessera::configured_kernel::scheduler_type::can_block);
