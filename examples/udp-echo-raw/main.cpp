// udp-echo-raw: a UDP echo server (RFC 862, port 7) written directly on the NetDevice API, no
// TCP/IP stack. It answers ARP requests for its static IPv4 address and echoes every UDP
// datagram sent to port 7. Zero copies: each answer is built in the buffer the frame arrived
// in (responder.hpp swaps the addresses), and that same buffer is transmitted.
//
// qemu-virt-aarch64: net::VirtioNet; `./tessera run udp-echo-raw` starts QEMU with user
// networking forwarding UDP 127.0.0.1:5555 on the host to port 7 here (10.0.2.15, QEMU's
// default guest address). hosted: net::UdpTunnel (Ethernet frames in UDP datagrams on
// 127.0.0.1; TESSERA_UDP_TUNNEL=LOCAL:REMOTE picks the ports).

#include <array>
#include <cstdio>

#include <tessera/tessera.hpp>

#include "responder.hpp"

#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/net/udp_tunnel.hpp>
using Net = tessera::net::UdpTunnel<>;
#else
#include <tessera/net/virtio_net.hpp>
using Net = tessera::net::VirtioNet<{.queue_size = 128, .buffers = 256}>;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, Net, tessera::block::None,
                            tessera::platform::Target>;

namespace {

constexpr udp_echo::Ipv4 kAddress{std::byte{10}, std::byte{0}, std::byte{2}, std::byte{15}};
constexpr std::size_t kBurst = 32;

int echo_main() {
  auto& nic = App::net();
  const auto mac = nic.mac();
  std::printf("udp-echo-raw: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, MTU %zu\n", App::component_names[2],
              static_cast<unsigned>(mac[0]), static_cast<unsigned>(mac[1]), static_cast<unsigned>(mac[2]),
              static_cast<unsigned>(mac[3]), static_cast<unsigned>(mac[4]), static_cast<unsigned>(mac[5]),
              nic.link_up() ? "up" : "down", nic.mtu());
  std::printf("udp-echo-raw: echoing UDP port 7 at 10.0.2.15\n");

  udp_echo::Responder responder(mac, kAddress, 7, nic.mtu());
  std::array<tessera::api::PacketBuffer*, kBurst> received{}, answers{};
  for (;;) {
    const std::size_t n = nic.rx_burst(received);
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (responder.handle(received[i]->frame()) == udp_echo::Action::transmit)
        answers[m++] = received[i];  // the same buffer goes back out
      else
        nic.free_buffer(received[i]);
    }
    if (m == 0) continue;
    const std::size_t sent = nic.tx_burst(std::span(answers).first(m));
    for (std::size_t i = sent; i < m; ++i) nic.free_buffer(answers[i]);  // the transmit queue was full
  }
}

}  // namespace

TESSERA_MAIN(App, echo_main)
