// A virtqueue size inside Kconfig's range but not a power of two: configured.hpp names the option.
// expect: CONFIG_NET_VIRTIO_QUEUE_SIZE must be a power of two
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_VIRTIO 1
#define CONFIG_NET_VIRTIO_QUEUE_SIZE 100
#define CONFIG_NET_VIRTIO_BUFFERS 100
#define CONFIG_BLOCK_NONE 1
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
