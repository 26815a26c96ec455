// The Raspberry Pi's SD card in a header for another platform (hand-written or stale).
// expect: CONFIG_BLOCK_BCM2835_EMMC is for the raspi3 platform only
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_BCM2835_EMMC 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
