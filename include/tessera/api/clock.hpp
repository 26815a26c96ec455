#pragma once
// API: a monotonic clock. now() counts ticks at frequency() Hz and never goes backwards.

#include <concepts>
#include <cstdint>

namespace tessera::api {

template <class C>
concept Clock = requires {
  { C::now() } -> std::same_as<std::uint64_t>;
  { C::frequency() } -> std::same_as<std::uint64_t>;
};

// Ticks to nanoseconds without overflow for any uptime below ~584 years at 1 GHz.
template <Clock C>
std::uint64_t now_ns() {
  const std::uint64_t t = C::now(), f = C::frequency();
  return t / f * 1'000'000'000u + t % f * 1'000'000'000u / f;
}

}  // namespace tessera::api

namespace tessera::api {

// A real-time clock: seconds since 1970-01-01 UTC. Optional: a platform that has one names
// it `wall_clock`, and std::chrono::system_clock follows it; without one, system_clock
// counts from boot (docs/cxx-runtime.md).
template <class C>
concept WallClock = requires {
  { C::seconds_since_epoch() } -> std::same_as<std::uint64_t>;
};

}  // namespace tessera::api
