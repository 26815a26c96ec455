#pragma once
// API: a network interface that moves Ethernet frames without copying them. Frames live in
// packet buffers from a pool the driver owns (the shape of DPDK's and uknetdev's burst
// calls): rx_burst hands received buffers to the caller, tx_burst takes buffers back to send
// (and returns them to the pool once sent), alloc_buffer/free_buffer move buffers in and out
// of the pool. An application that answers a frame may transmit the very buffer it received.
// `present` is false for net::None, so code above it compiles away.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/result.hpp"

namespace tessera::api {

using MacAddress = std::array<std::byte, 6>;

// One frame in driver-owned memory. `data` starts at the destination MAC address; the driver
// keeps its own headroom in front of it (a virtio-net header, …).
struct PacketBuffer {
  std::byte* data = nullptr;
  std::uint32_t length = 0;    // bytes of frame at data
  std::uint32_t capacity = 0;  // bytes data can hold: the largest frame this buffer takes
  std::uint32_t index = 0;     // the pool's own: which buffer this is; not for applications
  std::span<std::byte> frame() const { return {data, length}; }
};

struct NetCounters {
  std::uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0, rx_errors = 0;  // dropped: no buffer; errors: malformed
  std::uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0, tx_errors = 0;
};

template <class N>
concept NetDevice = requires(N& n, const N& cn, std::span<PacketBuffer*> burst, PacketBuffer* buffer) {
  { N::name } -> std::convertible_to<const char*>;
  { N::present } -> std::convertible_to<bool>;
  { n.init() } -> std::same_as<Result<void>>;
  { cn.mac() } -> std::same_as<MacAddress>;
  { cn.mtu() } -> std::same_as<std::size_t>;        // largest payload after the 14-byte Ethernet header
  { cn.link_up() } -> std::same_as<bool>;
  { cn.counters() } -> std::same_as<NetCounters>;
  // Fills burst[0, count) with received frames, now the caller's; never blocks (0: none waits).
  { n.rx_burst(burst) } -> std::same_as<std::size_t>;
  // Sends burst[0, count): those buffers go back to the pool once sent; the rest stay the caller's.
  { n.tx_burst(burst) } -> std::same_as<std::size_t>;
  { n.alloc_buffer() } -> std::same_as<Result<PacketBuffer*>>;  // out_of_memory when the pool is empty
  { n.free_buffer(buffer) } -> std::same_as<void>;             // a buffer the caller owns, back to the pool
};

}  // namespace tessera::api
