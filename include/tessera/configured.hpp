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

#include "tessera_config.h"
#include "tessera/tessera.hpp"

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
using platform_type = tessera::platform::Target;

// ------------------------------------------------------------------------------ allocator
inline constexpr int alloc_choices = 0
#if defined(CONFIG_ALLOC_REGION)
                                     + 1
#endif
    ;
static_assert(alloc_choices == 1,
              "tessera_config.h: exactly one allocator must be selected (the ALLOC choice: CONFIG_ALLOC_REGION); "
              "regenerate the header from a configuration Kconfig accepts");

#if defined(CONFIG_ALLOC_REGION)
#if !defined(CONFIG_ALLOC_REGION_BYTES)
#define TESSERA_DETAIL_REGION_BYTES 0
static_assert(false,
              "tessera_config.h: CONFIG_ALLOC_REGION is set but CONFIG_ALLOC_REGION_BYTES is missing");
#else
#define TESSERA_DETAIL_REGION_BYTES CONFIG_ALLOC_REGION_BYTES
#endif
static_assert(TESSERA_DETAIL_REGION_BYTES >= 0,
              "tessera_config.h: CONFIG_ALLOC_REGION_BYTES must be 0 (all free memory) or a positive byte count");
inline constexpr std::size_t alloc_region_bytes = static_cast<std::size_t>(TESSERA_DETAIL_REGION_BYTES);
#undef TESSERA_DETAIL_REGION_BYTES
using alloc_type = tessera::alloc::Region<{.bytes = alloc_region_bytes}>;
#else
using alloc_type = tessera::alloc::Region<>;  // not reached: the count above already failed
#endif

// ------------------------------------------------------------------------------ scheduler
inline constexpr int sched_choices = 0
#if defined(CONFIG_SCHED_NONE)
                                     + 1
#endif
    ;
static_assert(sched_choices == 1,
              "tessera_config.h: exactly one scheduler must be selected (the SCHED choice: CONFIG_SCHED_NONE); "
              "regenerate the header from a configuration Kconfig accepts");
using sched_type = tessera::sched::None;

// ------------------------------------------------------------------------------ network
inline constexpr int net_choices = 0
#if defined(CONFIG_NET_NONE)
                                   + 1
#endif
    ;
static_assert(net_choices == 1,
              "tessera_config.h: exactly one network device must be selected (the NET choice: CONFIG_NET_NONE); "
              "regenerate the header from a configuration Kconfig accepts");
using net_type = tessera::net::None;

// ------------------------------------------------------------------------------ block
inline constexpr int block_choices = 0
#if defined(CONFIG_BLOCK_NONE)
                                     + 1
#endif
    ;
static_assert(block_choices == 1,
              "tessera_config.h: exactly one block device must be selected (the BLOCK choice: CONFIG_BLOCK_NONE); "
              "regenerate the header from a configuration Kconfig accepts");
using block_type = tessera::block::None;

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
using configured_kernel = Kernel<configured::alloc_type, configured::sched_type, configured::net_type,
                                 configured::block_type, configured::platform_type>;

}  // namespace tessera
