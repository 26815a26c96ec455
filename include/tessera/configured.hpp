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
// Table-driven: each Kconfig symbol is one line below, read without #if (detail::read sees
// the macro's expansion as a string, or its own name when the header does not define it):
//   TESSERA_FLAG(NAME)            a bool symbol: true when the header defines CONFIG_NAME
//   TESSERA_NUMBER(NAME, NEEDED_BY, FALLBACK, VALID, "MUST BE")
//                                 an int symbol: NAME is its value; when CONFIG_NEEDED_BY is set
//                                 it must be present, and VALID (an expression of v) must hold,
//                                 else a static_assert says "CONFIG_NAME must be MUST BE" and
//                                 NAME is FALLBACK, so only that one error is reported
//   TESSERA_CHOICE(NAME, "WHAT", CHECKED, MEMBER…)
//                                 a Kconfig choice: NAME is the index of the one member set
//                                 (when CHECKED; "exactly one WHAT" otherwise), which picks
//                                 the slot's type from a list in the same order
// Adding a component: a TESSERA_FLAG line, its name in the slot's TESSERA_CHOICE, its type at
// the same place in the slot's pick<…> list, and a TESSERA_NUMBER line per option.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "tessera_config.h"
#include "tessera/block/ramdisk.hpp"
#include "tessera/block/virtio_blk.hpp"
#include "tessera/net/loopback.hpp"
#include "tessera/net/virtio_net.hpp"
#include "tessera/sched/per_core.hpp"
#include "tessera/sched/preemptive.hpp"
#include "tessera/tessera.hpp"
#if defined(TESSERA_PLATFORM_HOSTED)
#include "tessera/block/file.hpp"      // a host file: hosted only
#include "tessera/net/udp_tunnel.hpp"  // POSIX sockets: hosted only
#endif
#if defined(TESSERA_PLATFORM_RASPI3)
#include "tessera/block/bcm2835_emmc.hpp"  // the Raspberry Pi 3's SD card: raspi3 only
#endif

namespace tessera::configured {

namespace detail {

// A configuration macro as the header left it.
struct Option {
  bool set = false;     // the header defines it
  bool number = true;   // its expansion is a (decimal or 0x) integer
  long long value = 0;
};
consteval bool same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}
// `text`: the macro's expansion as a string; `name`: its name (the same when it is undefined).
consteval Option read(const char* text, const char* name) {
  if (same(text, name)) return {};
  Option o{.set = true};
  const bool negative = *text == '-';
  if (negative) ++text;
  int base = 10;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) base = 16, text += 2;
  for (; *text != 0; ++text) {
    const char c = *text;
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
    if (digit >= base) return {.set = true, .number = false};
    o.value = o.value * base + digit;
  }
  if (negative) o.value = -o.value;
  return o;
}
// The index of the one member set, or -1 (none or several).
template <std::size_t N>
consteval int chosen(const bool (&members)[N]) {
  int index = -1;
  for (std::size_t i = 0; i < N; ++i) {
    if (!members[i]) continue;
    if (index >= 0) return -1;
    index = static_cast<int>(i);
  }
  return index;
}
template <int I, class... T>
struct Pick;
template <class T, class... Rest>
struct Pick<0, T, Rest...> {
  using type = T;
};
template <int I, class T, class... Rest>
struct Pick<I, T, Rest...> : Pick<I - 1, Rest...> {};

}  // namespace detail

// The type at a choice's index (the first when the choice is reported invalid).
template <int I, class... T>
using pick = typename detail::Pick<(I < 0 ? 0 : I), T...>::type;

#define TESSERA_DETAIL_TEXT(...) TESSERA_DETAIL_TEXT_(__VA_ARGS__)
#define TESSERA_DETAIL_TEXT_(...) #__VA_ARGS__
#define TESSERA_DETAIL_READ(name) ::tessera::configured::detail::read(TESSERA_DETAIL_TEXT(CONFIG_##name), "CONFIG_" #name)
#define TESSERA_FLAG(name) inline constexpr bool name = TESSERA_DETAIL_READ(name).set
#define TESSERA_NUMBER(name, needed_by, fallback, valid, must_be)                                                  \
  inline constexpr ::tessera::configured::detail::Option name##_option = TESSERA_DETAIL_READ(name);              \
  static_assert(name##_option.set || !(needed_by), "tessera_config.h: CONFIG_" #needed_by                        \
                                                   " is set but CONFIG_" #name " is missing; regenerate the "    \
                                                   "header from a configuration Kconfig accepts");               \
  inline constexpr bool name##_valid = name##_option.number && [](long long v) { return valid; }(name##_option.value); \
  static_assert(!name##_option.set || name##_valid,                                                              \
                "tessera_config.h: CONFIG_" #name " must be " must_be "; change it with ./tessera menuconfig");   \
  inline constexpr long long name = name##_valid ? name##_option.value : (fallback)
#define TESSERA_CHOICE(name, what, checked, ...)                                                                 \
  inline constexpr bool name##_members[] = {__VA_ARGS__};                                                         \
  inline constexpr int name = ::tessera::configured::detail::chosen(name##_members);                             \
  static_assert(name >= 0 || !(checked), "tessera_config.h: exactly one " what " must be selected (the " #name    \
                                         " choice: one of CONFIG_{" #__VA_ARGS__ "}); regenerate the header "    \
                                         "from a configuration Kconfig accepts")

// ------------------------------------------------------------------------------ platform
// The platform is the build's (platform::Target); the configuration must select it.
TESSERA_FLAG(PLATFORM_QEMU_VIRT_AARCH64);
TESSERA_FLAG(PLATFORM_RASPI3);
TESSERA_FLAG(PLATFORM_HOSTED);
#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
#define TESSERA_DETAIL_BUILD_PLATFORM "qemu-virt-aarch64", "PLATFORM_QEMU_VIRT_AARCH64"
inline constexpr bool platform_selected = PLATFORM_QEMU_VIRT_AARCH64;
#elif defined(TESSERA_PLATFORM_RASPI3)
#define TESSERA_DETAIL_BUILD_PLATFORM "raspi3", "PLATFORM_RASPI3"
inline constexpr bool platform_selected = PLATFORM_RASPI3;
#elif defined(TESSERA_PLATFORM_HOSTED)
#define TESSERA_DETAIL_BUILD_PLATFORM "hosted", "PLATFORM_HOSTED"
inline constexpr bool platform_selected = PLATFORM_HOSTED;
#endif
#define TESSERA_DETAIL_PLATFORM_MESSAGE(platform, symbol)                                                        \
  "tessera_config.h: CONFIG_" symbol " is not set, but this build is for " platform "; select that platform in " \
  "the configuration (./tessera menuconfig)"
#define TESSERA_DETAIL_PLATFORM_MESSAGE_(...) TESSERA_DETAIL_PLATFORM_MESSAGE(__VA_ARGS__)
static_assert(platform_selected, TESSERA_DETAIL_PLATFORM_MESSAGE_(TESSERA_DETAIL_BUILD_PLATFORM));

TESSERA_FLAG(QEMU_VIRT_PAGE_TABLES_COMPILE_TIME);
TESSERA_FLAG(QEMU_VIRT_PAGE_TABLES_BOOT_TIME);
TESSERA_FLAG(QEMU_VIRT_PAGE_TABLES_OFF);
TESSERA_FLAG(RASPI3_CONSOLE_PL011);
TESSERA_FLAG(RASPI3_CONSOLE_MINI_UART);
#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
// Unchecked while the platform itself is wrong: that one is reported above.
TESSERA_CHOICE(QEMU_VIRT_PAGE_TABLES, "page-table mode", platform_selected, QEMU_VIRT_PAGE_TABLES_COMPILE_TIME,
               QEMU_VIRT_PAGE_TABLES_BOOT_TIME, QEMU_VIRT_PAGE_TABLES_OFF);
inline constexpr arch::aarch64::PageTables page_tables_by_choice[] = {
    arch::aarch64::PageTables::compile_time, arch::aarch64::PageTables::boot_time, arch::aarch64::PageTables::off};
using platform_type =
    platform::QemuVirt<{.page_tables = page_tables_by_choice[QEMU_VIRT_PAGE_TABLES < 0 ? 0 : QEMU_VIRT_PAGE_TABLES]}>;
#elif defined(TESSERA_PLATFORM_RASPI3)
TESSERA_CHOICE(RASPI3_CONSOLE, "console", platform_selected, RASPI3_CONSOLE_PL011, RASPI3_CONSOLE_MINI_UART);
inline constexpr platform::Raspi3Console consoles_by_choice[] = {platform::Raspi3Console::pl011,
                                                                 platform::Raspi3Console::mini_uart};
using platform_type = platform::Raspi3Board<{.console = consoles_by_choice[RASPI3_CONSOLE < 0 ? 0 : RASPI3_CONSOLE]}>;
#else
using platform_type = platform::Target;
#endif

// ------------------------------------------------------------------------------ allocator
TESSERA_FLAG(ALLOC_REGION);
TESSERA_FLAG(ALLOC_TLSF);
TESSERA_FLAG(ALLOC_BUDDY);
TESSERA_FLAG(ALLOC_SLAB);
TESSERA_FLAG(ALLOC_STAGED);
TESSERA_FLAG(ALLOC_STAGED_APP_TLSF);
TESSERA_FLAG(ALLOC_STAGED_APP_SLAB);
TESSERA_FLAG(ALLOC_DEBUG);
TESSERA_CHOICE(ALLOC, "allocator", true, ALLOC_REGION, ALLOC_TLSF, ALLOC_BUDDY, ALLOC_SLAB, ALLOC_STAGED);
TESSERA_CHOICE(ALLOC_STAGED_APP, "application allocator", ALLOC_STAGED, ALLOC_STAGED_APP_TLSF, ALLOC_STAGED_APP_SLAB);
//             option               needed by     fallback  valid when                      "must be …"
TESSERA_NUMBER(ALLOC_REGION_BYTES,    ALLOC_REGION, 0,     v >= 0,                          "0 (all free memory) or a positive byte count");
TESSERA_NUMBER(ALLOC_TLSF_BYTES,      ALLOC_TLSF,   0,     v >= 0,                          "0 (all free memory) or a positive byte count");
TESSERA_NUMBER(ALLOC_BUDDY_MAX_ORDER, ALLOC_BUDDY,  18,    v >= 0 && v <= 30,               "0 to 30 (largest block 4 KiB << it)");
TESSERA_NUMBER(ALLOC_SLAB_BYTES,      ALLOC_SLAB,   8192,  v >= 4096 && (v & (v - 1)) == 0, "a power of two of at least 4096 (the slab size of alloc::Slab)");

using debug_buddy = alloc::Buddy<{.debug = ALLOC_DEBUG}>;
using alloc_type = pick<ALLOC,
    alloc::Region<{.bytes = static_cast<std::size_t>(ALLOC_REGION_BYTES)}>,
    alloc::Tlsf<{.debug = ALLOC_DEBUG, .bytes = static_cast<std::size_t>(ALLOC_TLSF_BYTES)}>,
    alloc::Buddy<{.debug = ALLOC_DEBUG, .max_order = static_cast<unsigned>(ALLOC_BUDDY_MAX_ORDER)}>,
    alloc::Slab<{.debug = ALLOC_DEBUG, .slab_bytes = static_cast<std::size_t>(ALLOC_SLAB_BYTES)}, debug_buddy>,
    pick<ALLOC_STAGED_APP,
         alloc::Staged<alloc::Region<>, alloc::Tlsf<{.debug = ALLOC_DEBUG}>>,
         alloc::Staged<alloc::Region<>, alloc::Slab<{.debug = ALLOC_DEBUG}, debug_buddy>>>>;

// ------------------------------------------------------------------------------ scheduler
TESSERA_FLAG(SCHED_NONE);
TESSERA_FLAG(SCHED_COOPERATIVE);
TESSERA_FLAG(SCHED_PREEMPTIVE);
TESSERA_FLAG(SCHED_PER_CORE);
TESSERA_CHOICE(SCHED, "scheduler", true, SCHED_NONE, SCHED_COOPERATIVE, SCHED_PREEMPTIVE, SCHED_PER_CORE);
//             option                          needed by          fallback valid when                      "must be …"
TESSERA_NUMBER(SCHED_COOPERATIVE_MAX_THREADS, SCHED_COOPERATIVE, 16,     v >= 1 && v <= 65535,           "1 to 65535");
TESSERA_NUMBER(SCHED_COOPERATIVE_STACK_BYTES, SCHED_COOPERATIVE, 16384,  v >= 1024 && v % 16 == 0,       "a multiple of 16 of at least 1024 (the default stack of sched::Cooperative's threads)");
TESSERA_NUMBER(SCHED_PREEMPTIVE_MAX_THREADS,  SCHED_PREEMPTIVE,  16,     v >= 1 && v <= 65535,           "1 to 65535");
TESSERA_NUMBER(SCHED_PREEMPTIVE_STACK_BYTES,  SCHED_PREEMPTIVE,  16384,  v >= 1024 && v % 16 == 0,       "a multiple of 16 of at least 1024 (the default stack of sched::Preemptive's threads)");
TESSERA_NUMBER(SCHED_PREEMPTIVE_SLICE_US,     SCHED_PREEMPTIVE,  10000,  v >= 100 && v <= 1000000,       "100 to 1000000");
TESSERA_NUMBER(SCHED_CORES,                   SCHED_PER_CORE,    2,      v >= 2 && v <= 4,               "2 to 4");
// Each core's scheduler under sched::PerCore (checked for the cores SCHED_CORES counts).
TESSERA_FLAG(SCHED_CORE0_NONE);
TESSERA_FLAG(SCHED_CORE0_COOPERATIVE);
TESSERA_FLAG(SCHED_CORE0_PREEMPTIVE);
TESSERA_FLAG(SCHED_CORE1_NONE);
TESSERA_FLAG(SCHED_CORE1_COOPERATIVE);
TESSERA_FLAG(SCHED_CORE1_PREEMPTIVE);
TESSERA_FLAG(SCHED_CORE2_NONE);
TESSERA_FLAG(SCHED_CORE2_COOPERATIVE);
TESSERA_FLAG(SCHED_CORE2_PREEMPTIVE);
TESSERA_FLAG(SCHED_CORE3_NONE);
TESSERA_FLAG(SCHED_CORE3_COOPERATIVE);
TESSERA_FLAG(SCHED_CORE3_PREEMPTIVE);
TESSERA_CHOICE(SCHED_CORE0, "scheduler for core 0", SCHED_PER_CORE, SCHED_CORE0_NONE, SCHED_CORE0_COOPERATIVE, SCHED_CORE0_PREEMPTIVE);
TESSERA_CHOICE(SCHED_CORE1, "scheduler for core 1", SCHED_PER_CORE, SCHED_CORE1_NONE, SCHED_CORE1_COOPERATIVE, SCHED_CORE1_PREEMPTIVE);
TESSERA_CHOICE(SCHED_CORE2, "scheduler for core 2", SCHED_PER_CORE && SCHED_CORES > 2, SCHED_CORE2_NONE, SCHED_CORE2_COOPERATIVE, SCHED_CORE2_PREEMPTIVE);
TESSERA_CHOICE(SCHED_CORE3, "scheduler for core 3", SCHED_PER_CORE && SCHED_CORES > 3, SCHED_CORE3_NONE, SCHED_CORE3_COOPERATIVE, SCHED_CORE3_PREEMPTIVE);

inline constexpr sched::CooperativeOptions cooperative_options{
    .max_threads = static_cast<std::size_t>(SCHED_COOPERATIVE_MAX_THREADS),
    .stack_bytes = static_cast<std::size_t>(SCHED_COOPERATIVE_STACK_BYTES)};
inline constexpr sched::PreemptiveOptions preemptive_options{
    .max_threads = static_cast<std::size_t>(SCHED_PREEMPTIVE_MAX_THREADS),
    .stack_bytes = static_cast<std::size_t>(SCHED_PREEMPTIVE_STACK_BYTES),
    .slice_us = static_cast<std::uint32_t>(SCHED_PREEMPTIVE_SLICE_US)};
template <int Choice>  // a SCHED_COREn index: none, cooperative, preemptive
using core_scheduler = pick<Choice, sched::None, sched::Cooperative<cooperative_options>, sched::Preemptive<preemptive_options>>;
inline constexpr int core_choices[] = {SCHED_CORE0, SCHED_CORE1, SCHED_CORE2, SCHED_CORE3};
template <std::size_t... I>
auto per_core_of(std::index_sequence<I...>) -> sched::PerCore<core_scheduler<core_choices[I]>...>;

using sched_type = pick<SCHED, sched::None, sched::Cooperative<cooperative_options>, sched::Preemptive<preemptive_options>,
                        decltype(per_core_of(std::make_index_sequence<static_cast<std::size_t>(SCHED_CORES)>{}))>;

// ------------------------------------------------------------------------------ network
TESSERA_FLAG(NET_NONE);
TESSERA_FLAG(NET_VIRTIO);
TESSERA_FLAG(NET_LOOPBACK);
TESSERA_FLAG(NET_UDP_TUNNEL);
TESSERA_CHOICE(NET, "network device", true, NET_NONE, NET_VIRTIO, NET_LOOPBACK, NET_UDP_TUNNEL);
//             option                     needed by       fallback valid when                     "must be …"
TESSERA_NUMBER(NET_VIRTIO_QUEUE_SIZE,     NET_VIRTIO,     256,     v >= 2 && v <= 32768 && (v & (v - 1)) == 0, "a power of two from 2 to 32768 (virtio 1.2 §2.7)");
TESSERA_NUMBER(NET_VIRTIO_BUFFERS,        NET_VIRTIO,     512,     v >= 2 && v <= 1048576,       "2 to 1048576");
TESSERA_NUMBER(NET_LOOPBACK_BUFFERS,      NET_LOOPBACK,   64,      v >= 1 && v <= 65536,         "1 to 65536");
TESSERA_NUMBER(NET_UDP_TUNNEL_LOCAL_PORT, NET_UDP_TUNNEL, 5555,    v >= 1 && v <= 65535,         "a UDP port, 1 to 65535");
TESSERA_NUMBER(NET_UDP_TUNNEL_REMOTE_PORT,NET_UDP_TUNNEL, 5556,    v >= 1 && v <= 65535,         "a UDP port, 1 to 65535");
#if defined(TESSERA_PLATFORM_HOSTED)
using udp_tunnel = net::UdpTunnel<{.local_port = static_cast<std::uint16_t>(NET_UDP_TUNNEL_LOCAL_PORT),
                                   .remote_port = static_cast<std::uint16_t>(NET_UDP_TUNNEL_REMOTE_PORT)}>;
inline constexpr bool hosted = true;
#else
using udp_tunnel = net::None;  // reported below
inline constexpr bool hosted = false;
#endif
static_assert(!NET_UDP_TUNNEL || hosted,
              "tessera_config.h: CONFIG_NET_UDP_TUNNEL is for the hosted platform only (it uses POSIX sockets); "
              "select net::VirtioNet (CONFIG_NET_VIRTIO) for a bare-metal build");

using net_type = pick<NET, net::None,
                      net::VirtioNet<{.queue_size = static_cast<std::uint32_t>(NET_VIRTIO_QUEUE_SIZE),
                                      .buffers = static_cast<std::uint32_t>(NET_VIRTIO_BUFFERS)}>,
                      net::Loopback<{.buffers = static_cast<std::uint32_t>(NET_LOOPBACK_BUFFERS)}>, udp_tunnel>;

// ------------------------------------------------------------------------------ block
TESSERA_FLAG(BLOCK_NONE);
TESSERA_FLAG(BLOCK_VIRTIO);
TESSERA_FLAG(BLOCK_RAMDISK);
TESSERA_FLAG(BLOCK_FILE);
TESSERA_FLAG(BLOCK_BCM2835_EMMC);
TESSERA_CHOICE(BLOCK, "block device", true, BLOCK_NONE, BLOCK_VIRTIO, BLOCK_RAMDISK, BLOCK_FILE, BLOCK_BCM2835_EMMC);
//             option                    needed by      fallback valid when              "must be …"
TESSERA_NUMBER(BLOCK_VIRTIO_QUEUE_DEPTH, BLOCK_VIRTIO,  32,      v >= 1 && v <= 1024,    "1 to 1024");
TESSERA_NUMBER(BLOCK_RAMDISK_BLOCKS,     BLOCK_RAMDISK, 2048,    v >= 1,                 "at least 1");
#if defined(TESSERA_PLATFORM_HOSTED)
using file_block = block::File<>;
#else
using file_block = block::None;  // reported below
#endif
static_assert(!BLOCK_FILE || hosted,
              "tessera_config.h: CONFIG_BLOCK_FILE is for the hosted platform only (a host file); select "
              "block::VirtioBlk (CONFIG_BLOCK_VIRTIO, qemu-virt-aarch64) or block::Bcm2835Emmc "
              "(CONFIG_BLOCK_BCM2835_EMMC, raspi3) for a bare-metal build");
#if defined(TESSERA_PLATFORM_RASPI3)
using sd_card_block = block::Bcm2835Emmc<>;
inline constexpr bool raspi3 = true;
#else
using sd_card_block = block::None;  // reported below
inline constexpr bool raspi3 = false;
#endif
static_assert(!BLOCK_BCM2835_EMMC || raspi3,
              "tessera_config.h: CONFIG_BLOCK_BCM2835_EMMC is for the raspi3 platform only (the Raspberry Pi's SD "
              "card); select another block device for this build's platform");

inline constexpr auto virtio_blk_depth = static_cast<std::uint32_t>(BLOCK_VIRTIO_QUEUE_DEPTH);
using block_type = pick<BLOCK, block::None,
                        block::VirtioBlk<{.queue_depth = virtio_blk_depth, .queue_size = std::bit_ceil(3u * virtio_blk_depth)}>,
                        block::Ramdisk<{.blocks = static_cast<std::uint64_t>(BLOCK_RAMDISK_BLOCKS)}>, file_block,
                        sd_card_block>;

// ------------------------------------------------------------------------------ C library
// The printf flavour is a link-time choice (meson.build reads it from the same configuration);
// it is named here so that an application can report it. Hosted uses the host's C library.
TESSERA_FLAG(PRINTF_INTEGER);
TESSERA_FLAG(PRINTF_FLOAT);
TESSERA_FLAG(PRINTF_DOUBLE);
// None is wrong on bare metal only; several everywhere (the message says which).
TESSERA_CHOICE(PRINTF, "printf flavour", !hosted && PRINTF_INTEGER + PRINTF_FLOAT + PRINTF_DOUBLE == 0, PRINTF_INTEGER,
               PRINTF_FLOAT, PRINTF_DOUBLE);
static_assert(PRINTF_INTEGER + PRINTF_FLOAT + PRINTF_DOUBLE <= 1,
              "tessera_config.h: more than one of CONFIG_PRINTF_INTEGER, CONFIG_PRINTF_FLOAT, CONFIG_PRINTF_DOUBLE");
inline constexpr const char* printf_flavours[] = {"integer", "float", "double"};
inline constexpr const char* printf_flavour = hosted ? "host-libc" : printf_flavours[PRINTF < 0 ? 0 : PRINTF];

// The table's macros are this header's own: applications do not see them.
#undef TESSERA_DETAIL_BUILD_PLATFORM
#undef TESSERA_DETAIL_PLATFORM_MESSAGE
#undef TESSERA_DETAIL_PLATFORM_MESSAGE_
#undef TESSERA_FLAG
#undef TESSERA_NUMBER
#undef TESSERA_CHOICE
#undef TESSERA_DETAIL_READ
#undef TESSERA_DETAIL_TEXT
#undef TESSERA_DETAIL_TEXT_

}  // namespace tessera::configured

namespace tessera {

// The kernel the configuration describes.
using configured_kernel = BasicKernel<configured::alloc_type, configured::sched_type, configured::net_type,
                                      configured::block_type, configured::platform_type>;

}  // namespace tessera
