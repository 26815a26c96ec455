// block::VirtioBlk with its queue depth from the configuration: the expected type, its queue
// the smallest power of two of three descriptors per request.
// expect: compiles
#include "platform.hpp"
#define CONFIG_ALLOC_TLSF 1
#define CONFIG_ALLOC_TLSF_BYTES 0
#define CONFIG_SCHED_NONE 1
#define CONFIG_NET_NONE 1
#define CONFIG_BLOCK_VIRTIO 1
#define CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH 20
#define CONFIG_PRINTF_INTEGER 1
#include <tessera/configured.hpp>

#include <type_traits>

static_assert(std::is_same_v<tessera::configured::block_type,
                             tessera::block::VirtioBlk<{.queue_depth = 20, .queue_size = 64}>>);
static_assert(tessera::configured_kernel::block_type::present);
