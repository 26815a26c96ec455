// A queue depth outside what block::VirtioBlk takes (a stale or hand-written header):
// configured.hpp names the option.
// expect: CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH must be 1 to 1024
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_VIRTIO 1
#define CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH 2000
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>
