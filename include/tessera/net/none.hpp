#pragma once
// net::None — no network interface. `present` is false, so nothing above it is compiled in.
// Cost: nothing.

#include "tessera/api/net_device.hpp"

namespace tessera::net {

struct None {
  static constexpr const char* name = "net::None";
  static constexpr bool present = false;

  constexpr Result<void> init() { return {}; }
  constexpr api::MacAddress mac() const { return {}; }
  constexpr std::size_t mtu() const { return 0; }
  constexpr Result<void> transmit(std::span<const std::byte>) { return fail(Error::not_supported); }
  constexpr Result<std::size_t> receive(std::span<std::byte>) { return fail(Error::not_supported); }
};

static_assert(api::NetDevice<None>);

}  // namespace tessera::net
