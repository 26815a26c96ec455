#pragma once
// std::chrono's clocks on bare metal: libstdc++ declares steady_clock::now() and
// system_clock::now() and defines them in its compiled library with clock_gettime (a Linux
// system call). TESSERA_MAIN defines them for the application's kernel type instead:
//   - steady_clock: the platform's clock (the generic timer's counter on aarch64), in
//     nanoseconds since boot;
//   - system_clock: the platform's wall clock (api::WallClock, e.g. the PL031 on qemu-virt),
//     read once, advanced by the steady clock; on a platform without one it counts from boot
//     (the epoch, 1970-01-01, is the moment of boot).
// Cost: the clock read and one division per now(); nothing in an image that does not call them.
// The hosted platform keeps glibc's.

#include <chrono>
#include <cstdint>

#include "tessera/api/clock.hpp"

namespace tessera::detail {

template <class K>
struct CxxClock {
  static std::int64_t steady_ns() {
    if constexpr (K::well_formed)
      return static_cast<std::int64_t>(api::now_ns<typename K::platform::clock>());
    else
      return 0;
  }
  static std::int64_t system_ns() {
    if constexpr (K::well_formed && requires { requires api::WallClock<typename K::platform::wall_clock>; }) {
      // Offset of the wall clock from the steady clock, from the first call on.
      static std::int64_t offset = 0;
      static bool known = false;
      if (!known) {
        const std::int64_t steady = steady_ns();
        offset = static_cast<std::int64_t>(K::platform::wall_clock::seconds_since_epoch()) * 1'000'000'000 - steady;
        known = true;
      }
      return steady_ns() + offset;
    } else {
      return steady_ns();
    }
  }
};

}  // namespace tessera::detail

#if defined(TESSERA_PLATFORM_HOSTED)
#define TESSERA_DETAIL_CXX_CLOCK(K)
#else
#define TESSERA_DETAIL_CXX_CLOCK(K)                                                                 \
  std::chrono::steady_clock::time_point std::chrono::steady_clock::now() noexcept {                 \
    return time_point(std::chrono::nanoseconds(::tessera::detail::CxxClock<K>::steady_ns()));       \
  }                                                                                                 \
  std::chrono::system_clock::time_point std::chrono::system_clock::now() noexcept {                 \
    return time_point(std::chrono::nanoseconds(::tessera::detail::CxxClock<K>::system_ns()));       \
  }
#endif
