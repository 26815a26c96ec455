// block::Bcm2835Emmc from the configuration (raspi3): the SD card driver with its default options.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_BCM2835_EMMC 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured::block_type, tessera::block::Bcm2835Emmc<>>);
static_assert(tessera::configured_kernel::block_type::present);
