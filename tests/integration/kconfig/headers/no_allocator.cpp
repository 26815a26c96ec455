// No member of the ALLOC choice (a header from an older or broken configuration).
// expect: exactly one allocator must be selected (the ALLOC choice: one of CONFIG_{ALLOC_REGION, ALLOC_TLSF
#include "platform.hpp"
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
