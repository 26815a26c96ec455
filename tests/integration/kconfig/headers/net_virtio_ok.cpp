// net::VirtioNet with its options from the configuration: the expected type.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_VIRTIO 1
#define CONFIG_NET_VIRTIO_QUEUE_SIZE 64
#define CONFIG_NET_VIRTIO_BUFFERS 100
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured::net_type, tessera::net::VirtioNet<{.queue_size = 64, .buffers = 100}>>);
static_assert(tessera::configured_kernel::net_type::present);
