#pragma once
// net::UdpTunnel — a network interface for the hosted platform that needs no privileges:
// each Ethernet frame is one UDP datagram between 127.0.0.1:.local_port (ours) and
// 127.0.0.1:.remote_port (the peer). That is the framing of QEMU's `-netdev dgram`
// (`-netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=<remote_port>,
//   remote.type=inet,remote.host=127.0.0.1,remote.port=<local_port>`), so a hosted kernel and
// a QEMU guest can share a wire; a test script can be the peer too.
//
// Options: .local_port, .remote_port (defaults 5555 and 5556); the environment variable
//          TESSERA_UDP_TUNNEL=LOCAL:REMOTE overrides both at init() (tests pick free ports);
//          .buffers — packet buffers in the pool (default 64); .mac — our address.
// Cost: one socket; the kernel's socket layer copies each frame once each way (that copy is
// the host's, not ours: buffers are still handed to the application without a copy).
// Hosted only: it uses POSIX sockets, through three functions in the hosted platform's library
// (src/platform/hosted/udp_tunnel.cpp), so this header brings no host socket header along (lwIP's
// sockets.h declares the same BSD types: an application on lwIP's sockets includes both).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "tessera/api/net_device.hpp"
#include "tessera/net/frame.hpp"
#include "tessera/net/packet_pool.hpp"

namespace tessera::net {

struct UdpTunnelOptions {
  std::uint16_t local_port = 5555;
  std::uint16_t remote_port = 5556;
  std::uint32_t buffers = 64;
  std::array<std::uint8_t, 6> mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // locally administered
};

namespace detail {

namespace host {  // src/platform/hosted/udp_tunnel.cpp
// A UDP socket bound to 127.0.0.1:local and connected to 127.0.0.1:remote, non-blocking; -1 on failure.
int udp_tunnel_open(std::uint16_t local, std::uint16_t remote);
// The next datagram into data (at most capacity bytes); its real length even when longer
// (MSG_TRUNC); -1 when none waits.
long udp_tunnel_receive(int socket, void* data, std::size_t capacity);
// Sends one datagram without waiting; false when it was not sent whole.
bool udp_tunnel_send(int socket, const void* data, std::size_t length);
}  // namespace host

class UdpTunnelCore {
 public:
  // Binds 127.0.0.1:local and connects to 127.0.0.1:remote (TESSERA_UDP_TUNNEL overrides).
  Result<void> open(std::uint16_t local, std::uint16_t remote) {
    if (const char* env = std::getenv("TESSERA_UDP_TUNNEL")) {
      char* end = nullptr;
      const long l = std::strtol(env, &end, 10);
      const long r = (end != nullptr && *end == ':') ? std::strtol(end + 1, nullptr, 10) : -1;
      if (l <= 0 || l > 65535 || r <= 0 || r > 65535) return fail(Error::invalid_argument);
      local = static_cast<std::uint16_t>(l);
      remote = static_cast<std::uint16_t>(r);
    }
    socket_ = host::udp_tunnel_open(local, remote);
    if (socket_ < 0) return fail(Error::io_error);
    local_port_ = local;
    return {};
  }
  std::uint16_t local_port() const { return local_port_; }

  void attach(PacketPool pool) { pool_ = pool; }
  bool link_up() const { return socket_ >= 0; }
  api::NetCounters counters() const { return counters_; }

  std::size_t rx_burst(std::span<api::PacketBuffer*> burst) {
    std::size_t count = 0;
    while (count < burst.size()) {
      api::PacketBuffer* b = pool_.take();
      if (b == nullptr) break;  // the application holds every buffer; frames wait in the socket
      // MSG_TRUNC: the datagram's real length, even when it did not fit.
      const long n = host::udp_tunnel_receive(socket_, b->data, b->capacity);
      if (n < 0) {
        pool_.give_back(b);
        break;  // EAGAIN: nothing waits (ECONNREFUSED from an earlier send: ignored likewise)
      }
      if (!frame_length_ok(static_cast<std::size_t>(n), kDefaultMtu) || static_cast<std::size_t>(n) > b->capacity) {
        ++counters_.rx_errors;
        pool_.give_back(b);
        continue;
      }
      b->length = static_cast<std::uint32_t>(n);
      ++counters_.rx_packets;
      counters_.rx_bytes += b->length;
      burst[count++] = b;
    }
    return count;
  }

  std::size_t tx_burst(std::span<api::PacketBuffer*> burst) {
    for (api::PacketBuffer* b : burst) {
      if (!pool_.owns(b) || !frame_length_ok(b->length, kDefaultMtu)) {
        ++counters_.tx_errors;
      } else if (host::udp_tunnel_send(socket_, b->data, b->length)) {
        ++counters_.tx_packets;
        counters_.tx_bytes += b->length;
      } else {
        ++counters_.tx_dropped;  // no peer listening (ECONNREFUSED), or the socket buffer is full
      }
      pool_.give_back(b);
    }
    return burst.size();
  }

  Result<api::PacketBuffer*> alloc_buffer() {
    if (auto* b = pool_.take()) return b;
    return fail(Error::out_of_memory);
  }
  void free_buffer(api::PacketBuffer* b) { pool_.give_back(b); }

 private:
  int socket_ = -1;
  std::uint16_t local_port_ = 0;
  PacketPool pool_;
  api::NetCounters counters_;
};

}  // namespace detail

template <UdpTunnelOptions Options = UdpTunnelOptions{}>
struct UdpTunnel {
  static_assert(Options.local_port != 0 && Options.remote_port != 0,
                "net::UdpTunnel: options .local_port and .remote_port must not be 0");
  static_assert(Options.buffers >= 1 && Options.buffers <= 65536, "net::UdpTunnel: option .buffers must be from 1 to 65536");
  static constexpr UdpTunnelOptions options = Options;

  template <class K>
  class bind {
   public:
    static constexpr const char* name = "net::UdpTunnel";
    static constexpr bool present = true;
    static constexpr std::uint32_t stride = 2048;  // a whole frame of the default MTU, and room to spare
    // Its largest block from K::alloc(): the packet buffers (Kernel checks it fits).
    static constexpr std::size_t alloc_block_bytes = std::size_t{Options.buffers} * stride;

    Result<void> init() {
      auto memory = K::alloc().allocate(std::size_t{Options.buffers} * stride, 64);
      auto table = K::alloc().allocate(sizeof(api::PacketBuffer) * Options.buffers, alignof(api::PacketBuffer));
      auto stack = K::alloc().allocate(sizeof(std::uint32_t) * Options.buffers, alignof(std::uint32_t));
      if (!memory || !table || !stack) return fail(Error::out_of_memory);
      detail::PacketPool pool;
      pool.attach(static_cast<api::PacketBuffer*>(table.value()), static_cast<std::uint32_t*>(stack.value()),
                  static_cast<std::byte*>(memory.value()), Options.buffers, stride, 0);
      core_.attach(pool);
      return core_.open(Options.local_port, Options.remote_port);
    }

    api::MacAddress mac() const {
      api::MacAddress m{};
      for (std::size_t i = 0; i < 6; ++i) m[i] = std::byte{Options.mac[i]};
      return m;
    }
    std::size_t mtu() const { return kDefaultMtu; }
    bool link_up() const { return core_.link_up(); }
    api::NetCounters counters() const { return core_.counters(); }
    std::size_t rx_burst(std::span<api::PacketBuffer*> burst) { return core_.rx_burst(burst); }
    std::size_t tx_burst(std::span<api::PacketBuffer*> burst) { return core_.tx_burst(burst); }
    Result<api::PacketBuffer*> alloc_buffer() { return core_.alloc_buffer(); }
    void free_buffer(api::PacketBuffer* b) { core_.free_buffer(b); }
    std::uint16_t local_port() const { return core_.local_port(); }

   private:
    detail::UdpTunnelCore core_;
  };
};

static_assert(api::NetDevice<UdpTunnel<>::bind<void>>);

}  // namespace tessera::net
