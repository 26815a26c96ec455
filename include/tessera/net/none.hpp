#pragma once
// net::None — no network interface. `present` is false, so nothing above it is compiled in.
// Receives nothing, sends nothing, has no buffers. Cost: nothing.

#include "tessera/api/net_device.hpp"

namespace tessera::net {

struct None {
  static constexpr const char* name = "net::None";
  static constexpr bool present = false;

  constexpr Result<void> init() { return {}; }
  constexpr api::MacAddress mac() const { return {}; }
  constexpr std::size_t mtu() const { return 0; }
  constexpr bool link_up() const { return false; }
  constexpr api::NetCounters counters() const { return {}; }
  constexpr std::size_t rx_burst(std::span<api::PacketBuffer*>) { return 0; }
  constexpr std::size_t tx_burst(std::span<api::PacketBuffer*>) { return 0; }
  constexpr Result<api::PacketBuffer*> alloc_buffer() { return fail(Error::out_of_memory); }
  constexpr void free_buffer(api::PacketBuffer*) {}
};

static_assert(api::NetDevice<None>);

}  // namespace tessera::net
