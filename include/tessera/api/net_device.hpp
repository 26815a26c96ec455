#pragma once
// API: a network interface that moves Ethernet frames. `present` is false for net::None,
// so code above it (the TCP/IP stack) compiles away entirely.

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

#include "tessera/result.hpp"

namespace tessera::api {

using MacAddress = std::array<std::byte, 6>;

template <class N>
concept NetDevice = requires(N& n, const N& cn, std::span<const std::byte> frame,
                             std::span<std::byte> buffer) {
  { N::name } -> std::convertible_to<const char*>;
  { N::present } -> std::convertible_to<bool>;
  { n.init() } -> std::same_as<Result<void>>;
  { cn.mac() } -> std::same_as<MacAddress>;
  { cn.mtu() } -> std::same_as<std::size_t>;
  { n.transmit(frame) } -> std::same_as<Result<void>>;
  // Copies one received frame into `buffer`; Error::would_block when none is waiting.
  { n.receive(buffer) } -> std::same_as<Result<std::size_t>>;
};

}  // namespace tessera::api
