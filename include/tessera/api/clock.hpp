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
