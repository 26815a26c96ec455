// udp-echo: a UDP echo server (RFC 862, port 7) on lwIP's BSD sockets — the same service as
// udp-echo-raw, written the way a POSIX programmer would: socket, bind, recvfrom, sendto. lwIP
// runs on tessera's threads (sched::Cooperative): its tcpip thread, net::LwipSockets' receive
// thread and this application's thread, which blocks in lwip_recvfrom.
//
// qemu-virt-aarch64: net::VirtioNet at 10.0.2.15 (static; QEMU user networking's default guest
// address); `./tessera run udp-echo` forwards UDP 127.0.0.1:5556 on the host to port 7 here.
// hosted: net::UdpTunnel (Ethernet frames in UDP datagrams on 127.0.0.1; TESSERA_UDP_TUNNEL).
// Copies per echoed datagram: one out of lwIP's pbuf into our buffer (lwip_recvfrom), one from
// lwIP's pbuf chain into the driver's buffer (net::LwipNetif's transmit); lwip_sendto sends
// our buffer by reference. Receiving into lwIP copies nothing (custom pbufs).

#include <cstdio>

#include <tessera/net/lwip_sockets.hpp>
#include <tessera/tessera.hpp>
#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/net/udp_tunnel.hpp>
using Net = tessera::net::UdpTunnel<>;  // Ethernet frames in UDP datagrams on 127.0.0.1 (TESSERA_UDP_TUNNEL=LOCAL:REMOTE)
#else
#include <tessera/net/virtio_net.hpp>
using Net = tessera::net::VirtioNet<{.queue_size = 128, .buffers = 256}>;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>,
                            Net, tessera::block::None,
                            tessera::platform::Target>;

namespace {

tessera::net::LwipSockets<App> stack;

int echo_main() {
  if (auto started = stack.start_static({.address = {10, 0, 2, 15}, .gateway = {10, 0, 2, 2}}); !started) {
    std::printf("udp-echo: lwIP did not start: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  const int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in here{};
  here.sin_family = AF_INET;
  here.sin_port = lwip_htons(7);
  here.sin_addr.s_addr = lwip_htonl(INADDR_ANY);
  if (s < 0 || lwip_bind(s, reinterpret_cast<sockaddr*>(&here), sizeof here) != 0) {
    std::printf("udp-echo: cannot bind UDP port 7 (errno %d)\n", errno);
    return 1;
  }
  std::printf("udp-echo: lwIP %s sockets on %s, echoing UDP port 7 at 10.0.2.15\n", LWIP_VERSION_STRING,
              App::component_names[1]);
  static char datagram[2048];
  for (;;) {
    sockaddr_in from{};
    socklen_t from_length = sizeof from;
    const auto n = lwip_recvfrom(s, datagram, sizeof datagram, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) continue;
    lwip_sendto(s, datagram, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), from_length);
  }
}

}  // namespace

TESSERA_MAIN(App, echo_main)
TESSERA_LWIP_SYS_ARCH(App)
