// A header generated for another platform than the build's.
// expect: is not set, but this build is for
#if defined(TESSERA_PLATFORM_HOSTED)
#define CONFIG_PLATFORM_QEMU_VIRT_AARCH64 1
#else
#define CONFIG_PLATFORM_HOSTED 1
#endif
#define CONFIG_ALLOC_REGION 1
#define CONFIG_ALLOC_REGION_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
