#pragma once
// tessera::configured_kernel — the Kernel<…> type that the build's Kconfig configuration
// describes. The build (Meson: -Dconfig, default platforms/<platform>/defconfig) generates
// tessera_config.h with tools/kconfig.py genconfig; this header maps its CONFIG_… macros to
// component types and options:
//
//   #include <tessera/configured.hpp>
//   int app_main() { … }
//   TESSERA_MAIN(tessera::configured_kernel, app_main)
//
// This is the only file that reads CONFIG_… macros. An application may instead spell its own
// Kernel<…> (examples/hello builds both ways). Kconfig rejects invalid configurations before
// the header is written; the static_asserts below catch a header that did not come from an
// accepted configuration (hand-written, stale, or for another platform) and name the option.
//
// Adding a component: one CONFIG_<SLOT>_<COMPONENT> member in the slot's choice in Kconfig,
// one `#elif defined(CONFIG_…)` branch in its slot below and one `+ 1` in its count.

#include <cstddef>
#include <cstdint>

#include "tessera_config.h"
#include "tessera/net/loopback.hpp"
#include "tessera/net/virtio_net.hpp"
#include "tessera/tessera.hpp"
#if defined(CONFIG_NET_UDP_TUNNEL) && defined(TESSERA_PLATFORM_HOSTED)
#include "tessera/net/udp_tunnel.hpp"  // POSIX sockets: hosted only
#endif
#if defined(CONFIG_BLOCK_VIRTIO)
#include <bit>
#include "tessera/block/virtio_blk.hpp"
#endif
#if defined(CONFIG_BLOCK_RAMDISK)
#include "tessera/block/ramdisk.hpp"
#endif
#if defined(CONFIG_BLOCK_FILE) && defined(TESSERA_PLATFORM_HOSTED)
#include "tessera/block/file.hpp"  // a host file: hosted only
#endif
#if defined(CONFIG_BLOCK_BCM2835_EMMC) && defined(TESSERA_PLATFORM_RASPI3)
#include "tessera/block/bcm2835_emmc.hpp"  // the Raspberry Pi 3's SD card: raspi3 only
#endif
#if defined(CONFIG_SCHED_PREEMPTIVE) || defined(CONFIG_SCHED_PER_CORE)
#include "tessera/sched/preemptive.hpp"
#endif
#if defined(CONFIG_SCHED_PER_CORE)
#include <utility>

#include "tessera/sched/per_core.hpp"
#endif

namespace tessera::configured {

// ------------------------------------------------------------------------------ platform
// The platform is the build's (platform::Target); the configuration must select it.
#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
inline constexpr const char* platform_option = "CONFIG_PLATFORM_QEMU_VIRT_AARCH64";
inline constexpr bool platform_selected =
#if defined(CONFIG_PLATFORM_QEMU_VIRT_AARCH64)
    true;
#else
    false;
#endif
static_assert(platform_selected,
              "tessera_config.h: CONFIG_PLATFORM_QEMU_VIRT_AARCH64 is not set, but this build is for "
              "qemu-virt-aarch64; select that platform in the configuration (./tessera menuconfig)");
#elif defined(TESSERA_PLATFORM_RASPI3)
inline constexpr const char* platform_option = "CONFIG_PLATFORM_RASPI3";
inline constexpr bool platform_selected =
#if defined(CONFIG_PLATFORM_RASPI3)
    true;
#else
    false;
#endif
static_assert(platform_selected,
              "tessera_config.h: CONFIG_PLATFORM_RASPI3 is not set, but this build is for raspi3; select that "
              "platform in the configuration (./tessera menuconfig)");
#elif defined(TESSERA_PLATFORM_HOSTED)
inline constexpr const char* platform_option = "CONFIG_PLATFORM_HOSTED";
inline constexpr bool platform_selected =
#if defined(CONFIG_PLATFORM_HOSTED)
    true;
#else
    false;
#endif
static_assert(platform_selected,
              "tessera_config.h: CONFIG_PLATFORM_HOSTED is not set, but this build is for hosted; select "
              "that platform in the configuration (./tessera menuconfig)");
#endif
#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
inline constexpr int page_table_choices = 0
#if defined(CONFIG_QEMU_VIRT_PAGE_TABLES_COMPILE_TIME)
                                          + 1
#endif
#if defined(CONFIG_QEMU_VIRT_PAGE_TABLES_BOOT_TIME)
                                          + 1
#endif
#if defined(CONFIG_QEMU_VIRT_PAGE_TABLES_OFF)
                                          + 1
#endif
    ;
static_assert(page_table_choices == 1 || !platform_selected,  // that one is reported above
              "tessera_config.h: exactly one of CONFIG_QEMU_VIRT_PAGE_TABLES_COMPILE_TIME, _BOOT_TIME, _OFF must be "
              "set (the QEMU_VIRT_PAGE_TABLES choice); regenerate the header from a configuration Kconfig accepts");
inline constexpr auto page_tables =
#if defined(CONFIG_QEMU_VIRT_PAGE_TABLES_BOOT_TIME)
    tessera::arch::aarch64::PageTables::boot_time;
#elif defined(CONFIG_QEMU_VIRT_PAGE_TABLES_OFF)
    tessera::arch::aarch64::PageTables::off;
#else
    tessera::arch::aarch64::PageTables::compile_time;
#endif
using platform_type = tessera::platform::QemuVirt<{.page_tables = page_tables}>;
#elif defined(TESSERA_PLATFORM_RASPI3)
inline constexpr int console_choices = 0
#if defined(CONFIG_RASPI3_CONSOLE_PL011)
                                       + 1
#endif
#if defined(CONFIG_RASPI3_CONSOLE_MINI_UART)
                                       + 1
#endif
    ;
static_assert(console_choices == 1 || !platform_selected,  // that one is reported above
              "tessera_config.h: exactly one of CONFIG_RASPI3_CONSOLE_PL011, CONFIG_RASPI3_CONSOLE_MINI_UART must be "
              "set (the RASPI3_CONSOLE choice); regenerate the header from a configuration Kconfig accepts");
inline constexpr auto raspi3_console =
#if defined(CONFIG_RASPI3_CONSOLE_MINI_UART)
    tessera::platform::Raspi3Console::mini_uart;
#else
    tessera::platform::Raspi3Console::pl011;
#endif
using platform_type = tessera::platform::Raspi3Board<{.console = raspi3_console}>;
#else
using platform_type = tessera::platform::Target;
#endif

// ------------------------------------------------------------------------------ allocator
inline constexpr int alloc_choices = 0
#if defined(CONFIG_ALLOC_REGION)
                                     + 1
#endif
#if defined(CONFIG_ALLOC_TLSF)
                                     + 1
#endif
#if defined(CONFIG_ALLOC_BUDDY)
                                     + 1
#endif
#if defined(CONFIG_ALLOC_SLAB)
                                     + 1
#endif
#if defined(CONFIG_ALLOC_STAGED)
                                     + 1
#endif
    ;
static_assert(alloc_choices == 1,
              "tessera_config.h: exactly one allocator must be selected (the ALLOC choice: CONFIG_ALLOC_REGION, "
              "CONFIG_ALLOC_TLSF, CONFIG_ALLOC_BUDDY, CONFIG_ALLOC_SLAB or CONFIG_ALLOC_STAGED); regenerate the "
              "header from a configuration Kconfig accepts");

inline constexpr bool alloc_debug =
#if defined(CONFIG_ALLOC_DEBUG)
    true;
#else
    false;
#endif

#if defined(CONFIG_ALLOC_REGION)
#if !defined(CONFIG_ALLOC_REGION_BYTES)
static_assert(false, "tessera_config.h: CONFIG_ALLOC_REGION is set but CONFIG_ALLOC_REGION_BYTES is missing");
inline constexpr long long alloc_bytes_option = 0;
#else
inline constexpr long long alloc_bytes_option = CONFIG_ALLOC_REGION_BYTES;
#endif
static_assert(alloc_bytes_option >= 0,
              "tessera_config.h: CONFIG_ALLOC_REGION_BYTES must be 0 (all free memory) or a positive byte count");
using alloc_type = tessera::alloc::Region<{.bytes = static_cast<std::size_t>(alloc_bytes_option)}>;

#elif defined(CONFIG_ALLOC_TLSF)
#if !defined(CONFIG_ALLOC_TLSF_BYTES)
static_assert(false, "tessera_config.h: CONFIG_ALLOC_TLSF is set but CONFIG_ALLOC_TLSF_BYTES is missing");
inline constexpr long long alloc_bytes_option = 0;
#else
inline constexpr long long alloc_bytes_option = CONFIG_ALLOC_TLSF_BYTES;
#endif
static_assert(alloc_bytes_option >= 0,
              "tessera_config.h: CONFIG_ALLOC_TLSF_BYTES must be 0 (all free memory) or a positive byte count");
using alloc_type =
    tessera::alloc::Tlsf<{.debug = alloc_debug, .bytes = static_cast<std::size_t>(alloc_bytes_option)}>;

#elif defined(CONFIG_ALLOC_BUDDY)
#if !defined(CONFIG_ALLOC_BUDDY_MAX_ORDER)
static_assert(false, "tessera_config.h: CONFIG_ALLOC_BUDDY is set but CONFIG_ALLOC_BUDDY_MAX_ORDER is missing");
inline constexpr long long buddy_max_order = 18;
#else
inline constexpr long long buddy_max_order = CONFIG_ALLOC_BUDDY_MAX_ORDER;
#endif
static_assert(buddy_max_order >= 0 && buddy_max_order <= 30,
              "tessera_config.h: CONFIG_ALLOC_BUDDY_MAX_ORDER must be 0 to 30 (largest block 4 KiB << it)");
using alloc_type =
    tessera::alloc::Buddy<{.debug = alloc_debug, .max_order = static_cast<unsigned>(buddy_max_order)}>;

#elif defined(CONFIG_ALLOC_SLAB)
#if !defined(CONFIG_ALLOC_SLAB_BYTES)
static_assert(false, "tessera_config.h: CONFIG_ALLOC_SLAB is set but CONFIG_ALLOC_SLAB_BYTES is missing");
inline constexpr long long slab_bytes = 8192;
#else
inline constexpr long long slab_bytes = CONFIG_ALLOC_SLAB_BYTES;
#endif
// Kconfig checks the range; a power of two it cannot express.
static_assert(slab_bytes >= 4096 && (slab_bytes & (slab_bytes - 1)) == 0,
              "CONFIG_ALLOC_SLAB_BYTES must be a power of two of at least 4096 (the slab size of alloc::Slab); "
              "change it with ./tessera menuconfig");
using alloc_type = tessera::alloc::Slab<{.debug = alloc_debug, .slab_bytes = static_cast<std::size_t>(slab_bytes)},
                                        tessera::alloc::Buddy<{.debug = alloc_debug}>>;

#elif defined(CONFIG_ALLOC_STAGED)
#if defined(CONFIG_ALLOC_STAGED_APP_SLAB)
using alloc_type = tessera::alloc::Staged<tessera::alloc::Region<>,
                                          tessera::alloc::Slab<{.debug = alloc_debug},
                                                               tessera::alloc::Buddy<{.debug = alloc_debug}>>>;
#elif defined(CONFIG_ALLOC_STAGED_APP_TLSF)
using alloc_type = tessera::alloc::Staged<tessera::alloc::Region<>, tessera::alloc::Tlsf<{.debug = alloc_debug}>>;
#else
static_assert(false,
              "tessera_config.h: CONFIG_ALLOC_STAGED is set but no application allocator (the ALLOC_STAGED_APP "
              "choice: CONFIG_ALLOC_STAGED_APP_TLSF or CONFIG_ALLOC_STAGED_APP_SLAB)");
using alloc_type = tessera::alloc::Region<>;
#endif
#else
using alloc_type = tessera::alloc::Region<>;  // not reached: the count above already failed
#endif

// ------------------------------------------------------------------------------ scheduler
inline constexpr int sched_choices = 0
#if defined(CONFIG_SCHED_NONE)
                                     + 1
#endif
#if defined(CONFIG_SCHED_COOPERATIVE)
                                     + 1
#endif
#if defined(CONFIG_SCHED_PREEMPTIVE)
                                     + 1
#endif
#if defined(CONFIG_SCHED_PER_CORE)
                                     + 1
#endif
    ;
static_assert(sched_choices == 1,
              "tessera_config.h: exactly one scheduler must be selected (the SCHED choice: CONFIG_SCHED_NONE, "
              "CONFIG_SCHED_COOPERATIVE, CONFIG_SCHED_PREEMPTIVE or CONFIG_SCHED_PER_CORE); regenerate the header from a configuration Kconfig accepts");
#if defined(CONFIG_SCHED_COOPERATIVE)
#if !defined(CONFIG_SCHED_COOPERATIVE_MAX_THREADS) || !defined(CONFIG_SCHED_COOPERATIVE_STACK_BYTES)
static_assert(false,
              "tessera_config.h: CONFIG_SCHED_COOPERATIVE is set but CONFIG_SCHED_COOPERATIVE_MAX_THREADS or "
              "CONFIG_SCHED_COOPERATIVE_STACK_BYTES is missing");
inline constexpr long long sched_max_threads = 16, sched_stack_bytes = 16384;
#else
inline constexpr long long sched_max_threads = CONFIG_SCHED_COOPERATIVE_MAX_THREADS;
inline constexpr long long sched_stack_bytes = CONFIG_SCHED_COOPERATIVE_STACK_BYTES;
#endif
static_assert(sched_max_threads >= 1 && sched_max_threads <= 65535,
              "tessera_config.h: CONFIG_SCHED_COOPERATIVE_MAX_THREADS must be 1 to 65535");
// Kconfig checks the range; a multiple of 16 it cannot express.
static_assert(sched_stack_bytes >= 1024 && sched_stack_bytes % 16 == 0,
              "CONFIG_SCHED_COOPERATIVE_STACK_BYTES must be a multiple of 16 of at least 1024 (the default stack "
              "of sched::Cooperative's threads); change it with ./tessera menuconfig");
using sched_type = tessera::sched::Cooperative<{.max_threads = static_cast<std::size_t>(sched_max_threads),
                                                .stack_bytes = static_cast<std::size_t>(sched_stack_bytes)}>;
#elif defined(CONFIG_SCHED_PREEMPTIVE)
#if !defined(CONFIG_SCHED_PREEMPTIVE_MAX_THREADS) || !defined(CONFIG_SCHED_PREEMPTIVE_STACK_BYTES) || \
    !defined(CONFIG_SCHED_PREEMPTIVE_SLICE_US)
static_assert(false,
              "tessera_config.h: CONFIG_SCHED_PREEMPTIVE is set but CONFIG_SCHED_PREEMPTIVE_MAX_THREADS, "
              "_STACK_BYTES or _SLICE_US is missing");
inline constexpr long long sched_max_threads = 16, sched_stack_bytes = 16384, sched_slice_us = 10000;
#else
inline constexpr long long sched_max_threads = CONFIG_SCHED_PREEMPTIVE_MAX_THREADS;
inline constexpr long long sched_stack_bytes = CONFIG_SCHED_PREEMPTIVE_STACK_BYTES;
inline constexpr long long sched_slice_us = CONFIG_SCHED_PREEMPTIVE_SLICE_US;
#endif
static_assert(sched_max_threads >= 1 && sched_max_threads <= 65535,
              "tessera_config.h: CONFIG_SCHED_PREEMPTIVE_MAX_THREADS must be 1 to 65535");
static_assert(sched_stack_bytes >= 1024 && sched_stack_bytes % 16 == 0,
              "CONFIG_SCHED_PREEMPTIVE_STACK_BYTES must be a multiple of 16 of at least 1024 (the default stack "
              "of sched::Preemptive's threads); change it with ./tessera menuconfig");
static_assert(sched_slice_us >= 100 && sched_slice_us <= 1000000,
              "tessera_config.h: CONFIG_SCHED_PREEMPTIVE_SLICE_US must be 100 to 1000000");
using sched_type = tessera::sched::Preemptive<{.max_threads = static_cast<std::size_t>(sched_max_threads),
                                               .stack_bytes = static_cast<std::size_t>(sched_stack_bytes),
                                               .slice_us = static_cast<std::uint32_t>(sched_slice_us)}>;
#elif defined(CONFIG_SCHED_PER_CORE)
// Each core's scheduler (SCHED_COREn), with the cooperative and preemptive options shared.
enum class CoreScheduler { none, cooperative, preemptive };
#define TESSERA_DETAIL_CORE_SCHEDULER(n)                                                              \
  (TESSERA_DETAIL_IS_SET(CONFIG_SCHED_CORE##n##_PREEMPTIVE)    ? CoreScheduler::preemptive          \
   : TESSERA_DETAIL_IS_SET(CONFIG_SCHED_CORE##n##_COOPERATIVE) ? CoreScheduler::cooperative         \
                                                                : CoreScheduler::none)
// 1 when the configuration defines the symbol (as 1), 0 when it does not.
#define TESSERA_DETAIL_IS_SET(symbol) TESSERA_DETAIL_IS_SET_(symbol)
#define TESSERA_DETAIL_IS_SET_(value) (sizeof(#value) == 2 && #value[0] == '1')
inline constexpr CoreScheduler core_schedulers[4] = {TESSERA_DETAIL_CORE_SCHEDULER(0), TESSERA_DETAIL_CORE_SCHEDULER(1),
                                                     TESSERA_DETAIL_CORE_SCHEDULER(2), TESSERA_DETAIL_CORE_SCHEDULER(3)};
#if !defined(CONFIG_SCHED_CORES)
static_assert(false, "tessera_config.h: CONFIG_SCHED_PER_CORE is set but CONFIG_SCHED_CORES is missing");
#define CONFIG_SCHED_CORES 2
#endif
static_assert(CONFIG_SCHED_CORES >= 2 && CONFIG_SCHED_CORES <= 4, "tessera_config.h: CONFIG_SCHED_CORES must be 2 to 4");
#if defined(CONFIG_SCHED_COOPERATIVE_MAX_THREADS) && defined(CONFIG_SCHED_COOPERATIVE_STACK_BYTES)
inline constexpr tessera::sched::CooperativeOptions per_core_cooperative{
    .max_threads = CONFIG_SCHED_COOPERATIVE_MAX_THREADS, .stack_bytes = CONFIG_SCHED_COOPERATIVE_STACK_BYTES};
#else
inline constexpr tessera::sched::CooperativeOptions per_core_cooperative{};
#endif
#if defined(CONFIG_SCHED_PREEMPTIVE_MAX_THREADS) && defined(CONFIG_SCHED_PREEMPTIVE_STACK_BYTES) && \
    defined(CONFIG_SCHED_PREEMPTIVE_SLICE_US)
inline constexpr tessera::sched::PreemptiveOptions per_core_preemptive{
    .max_threads = CONFIG_SCHED_PREEMPTIVE_MAX_THREADS,
    .stack_bytes = CONFIG_SCHED_PREEMPTIVE_STACK_BYTES,
    .slice_us = CONFIG_SCHED_PREEMPTIVE_SLICE_US};
#else
inline constexpr tessera::sched::PreemptiveOptions per_core_preemptive{};
#endif
template <CoreScheduler S>
using core_scheduler_t = std::conditional_t<
    S == CoreScheduler::none, tessera::sched::None,
    std::conditional_t<S == CoreScheduler::cooperative, tessera::sched::Cooperative<per_core_cooperative>,
                       tessera::sched::Preemptive<per_core_preemptive>>>;
template <std::size_t... I>
auto per_core_of(std::index_sequence<I...>) -> tessera::sched::PerCore<core_scheduler_t<core_schedulers[I]>...>;
using sched_type = decltype(per_core_of(std::make_index_sequence<CONFIG_SCHED_CORES>{}));
#else
using sched_type = tessera::sched::None;
#endif

// ------------------------------------------------------------------------------ network
inline constexpr int net_choices = 0
#if defined(CONFIG_NET_NONE)
                                   + 1
#endif
#if defined(CONFIG_NET_VIRTIO)
                                   + 1
#endif
#if defined(CONFIG_NET_LOOPBACK)
                                   + 1
#endif
#if defined(CONFIG_NET_UDP_TUNNEL)
                                   + 1
#endif
    ;
static_assert(net_choices == 1,
              "tessera_config.h: exactly one network device must be selected (the NET choice: CONFIG_NET_NONE, "
              "CONFIG_NET_VIRTIO, CONFIG_NET_LOOPBACK or CONFIG_NET_UDP_TUNNEL); regenerate the header from a "
              "configuration Kconfig accepts");
#if defined(CONFIG_NET_VIRTIO)
#if !defined(CONFIG_NET_VIRTIO_QUEUE_SIZE) || !defined(CONFIG_NET_VIRTIO_BUFFERS)
static_assert(false, "tessera_config.h: CONFIG_NET_VIRTIO is set but CONFIG_NET_VIRTIO_QUEUE_SIZE or "
                     "CONFIG_NET_VIRTIO_BUFFERS is missing");
using net_type = tessera::net::None;
#else
// Kconfig checks the range; a power of two it cannot express.
inline constexpr bool virtio_queue_size_ok =
    CONFIG_NET_VIRTIO_QUEUE_SIZE > 0 && (CONFIG_NET_VIRTIO_QUEUE_SIZE & (CONFIG_NET_VIRTIO_QUEUE_SIZE - 1)) == 0;
static_assert(virtio_queue_size_ok,
              "CONFIG_NET_VIRTIO_QUEUE_SIZE must be a power of two (virtio 1.2 §2.7); change it with "
              "./tessera menuconfig");
// A bad size is reported once, above, not again by VirtioNet's own check.
using net_type = tessera::net::VirtioNet<{.queue_size = virtio_queue_size_ok ? CONFIG_NET_VIRTIO_QUEUE_SIZE : 256u,
                                          .buffers = CONFIG_NET_VIRTIO_BUFFERS}>;
#endif
#elif defined(CONFIG_NET_LOOPBACK)
#if !defined(CONFIG_NET_LOOPBACK_BUFFERS)
static_assert(false, "tessera_config.h: CONFIG_NET_LOOPBACK is set but CONFIG_NET_LOOPBACK_BUFFERS is missing");
using net_type = tessera::net::None;
#else
using net_type = tessera::net::Loopback<{.buffers = CONFIG_NET_LOOPBACK_BUFFERS}>;
#endif
#elif defined(CONFIG_NET_UDP_TUNNEL)
#if !defined(TESSERA_PLATFORM_HOSTED)
static_assert(false, "tessera_config.h: CONFIG_NET_UDP_TUNNEL is for the hosted platform only (it uses POSIX "
                     "sockets); select net::VirtioNet (CONFIG_NET_VIRTIO) for a bare-metal build");
using net_type = tessera::net::None;
#elif !defined(CONFIG_NET_UDP_TUNNEL_LOCAL_PORT) || !defined(CONFIG_NET_UDP_TUNNEL_REMOTE_PORT)
static_assert(false, "tessera_config.h: CONFIG_NET_UDP_TUNNEL is set but its ports are missing");
using net_type = tessera::net::None;
#else
using net_type = tessera::net::UdpTunnel<{.local_port = CONFIG_NET_UDP_TUNNEL_LOCAL_PORT,
                                          .remote_port = CONFIG_NET_UDP_TUNNEL_REMOTE_PORT}>;
#endif
#else
using net_type = tessera::net::None;
#endif

// ------------------------------------------------------------------------------ block
inline constexpr int block_choices = 0
#if defined(CONFIG_BLOCK_NONE)
                                     + 1
#endif
#if defined(CONFIG_BLOCK_VIRTIO)
                                     + 1
#endif
#if defined(CONFIG_BLOCK_RAMDISK)
                                     + 1
#endif
#if defined(CONFIG_BLOCK_FILE)
                                     + 1
#endif
#if defined(CONFIG_BLOCK_BCM2835_EMMC)
                                     + 1
#endif
    ;
static_assert(block_choices == 1,
              "tessera_config.h: exactly one block device must be selected (the BLOCK choice: CONFIG_BLOCK_NONE, "
              "CONFIG_BLOCK_VIRTIO, CONFIG_BLOCK_RAMDISK, CONFIG_BLOCK_FILE or CONFIG_BLOCK_BCM2835_EMMC); "
              "regenerate the header from a configuration Kconfig accepts");
#if defined(CONFIG_BLOCK_VIRTIO)
#if !defined(CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH)
static_assert(false, "tessera_config.h: CONFIG_BLOCK_VIRTIO is set but CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH is missing");
using block_type = tessera::block::None;
#else
inline constexpr bool virtio_blk_depth_ok = CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH >= 1 && CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH <= 1024;
static_assert(virtio_blk_depth_ok, "tessera_config.h: CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH must be 1 to 1024; change it "
                                   "with ./tessera menuconfig");
inline constexpr std::uint32_t virtio_blk_depth = virtio_blk_depth_ok ? CONFIG_BLOCK_VIRTIO_QUEUE_DEPTH : 32u;
using block_type = tessera::block::VirtioBlk<{.queue_depth = virtio_blk_depth,
                                              .queue_size = std::bit_ceil(3u * virtio_blk_depth)}>;
#endif
#elif defined(CONFIG_BLOCK_RAMDISK)
#if !defined(CONFIG_BLOCK_RAMDISK_BLOCKS)
static_assert(false, "tessera_config.h: CONFIG_BLOCK_RAMDISK is set but CONFIG_BLOCK_RAMDISK_BLOCKS is missing");
using block_type = tessera::block::None;
#else
using block_type = tessera::block::Ramdisk<{.blocks = CONFIG_BLOCK_RAMDISK_BLOCKS}>;
#endif
#elif defined(CONFIG_BLOCK_FILE)
#if !defined(TESSERA_PLATFORM_HOSTED)
static_assert(false, "tessera_config.h: CONFIG_BLOCK_FILE is for the hosted platform only (a host file); select "
                     "block::VirtioBlk (CONFIG_BLOCK_VIRTIO, qemu-virt-aarch64) or block::Bcm2835Emmc "
                     "(CONFIG_BLOCK_BCM2835_EMMC, raspi3) for a bare-metal build");
using block_type = tessera::block::None;
#else
using block_type = tessera::block::File<>;
#endif
#elif defined(CONFIG_BLOCK_BCM2835_EMMC)
#if !defined(TESSERA_PLATFORM_RASPI3)
static_assert(false, "tessera_config.h: CONFIG_BLOCK_BCM2835_EMMC is for the raspi3 platform only (the Raspberry Pi's "
                     "SD card); select another block device for this build's platform");
using block_type = tessera::block::None;
#else
using block_type = tessera::block::Bcm2835Emmc<>;
#endif
#else
using block_type = tessera::block::None;
#endif

// ------------------------------------------------------------------------------ C library
// The printf flavour is a link-time choice (meson.build reads it from the same configuration);
// it is named here so that an application can report it.
inline constexpr int defined_printf_flavours = 0
#if defined(CONFIG_PRINTF_INTEGER)
                                               + 1
#endif
#if defined(CONFIG_PRINTF_FLOAT)
                                               + 1
#endif
#if defined(CONFIG_PRINTF_DOUBLE)
                                               + 1
#endif
    ;
static_assert(defined_printf_flavours <= 1,
              "tessera_config.h: more than one of CONFIG_PRINTF_INTEGER, CONFIG_PRINTF_FLOAT, CONFIG_PRINTF_DOUBLE");
#if defined(TESSERA_PLATFORM_HOSTED)
inline constexpr const char* printf_flavour = "host-libc";  // the host's C library, whatever CONFIG_PRINTF_… says
#else
static_assert(defined_printf_flavours >= 1,
              "tessera_config.h: a bare-metal build needs a printf flavour (the PRINTF choice: "
              "CONFIG_PRINTF_INTEGER, CONFIG_PRINTF_FLOAT or CONFIG_PRINTF_DOUBLE)");
inline constexpr const char* printf_flavour =
#if defined(CONFIG_PRINTF_DOUBLE)
    "double";
#elif defined(CONFIG_PRINTF_FLOAT)
    "float";
#else
    "integer";
#endif
#endif

}  // namespace tessera::configured

namespace tessera {

// The kernel the configuration describes.
using configured_kernel = BasicKernel<configured::alloc_type, configured::sched_type, configured::net_type,
                                 configured::block_type, configured::platform_type>;

}  // namespace tessera
