// UDP echo (port 7) through lwIP's raw API over the NetDevice (net::LwipNetif): lwIP answers
// ARP and builds each answer. qemu-virt-aarch64: net::VirtioNet at 10.0.2.15 (QEMU user
// networking); tests/integration/net/udp_echo_test.py does the round trips. Status: never
// returns (the test stops it).

#include <cstdio>

#include <tessera/net/lwip_netif.hpp>
#include <tessera/net/virtio_net.hpp>
#include <tessera/tessera.hpp>

extern "C" {
#include "lwip/udp.h"
}

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None,
                            tessera::net::VirtioNet<{.queue_size = 128, .buffers = 256}>, tessera::block::None,
                            tessera::platform::Target>;

namespace {

tessera::net::LwipNetif<App::net_type> lwip_netif;

void echo(void*, struct udp_pcb* pcb, struct pbuf* p, const ip_addr_t* from, u16_t port) {
  udp_sendto(pcb, p, from, port);
  pbuf_free(p);
}

int lwip_echo_main() {
  ip4_addr_t address, netmask, gateway;
  IP4_ADDR(&address, 10, 0, 2, 15);
  IP4_ADDR(&netmask, 255, 255, 255, 0);
  IP4_ADDR(&gateway, 10, 0, 2, 2);
  if (auto started = lwip_netif.start(App::net(), address, netmask, gateway); !started) {
    std::printf("lwip-udp-echo: netif: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  struct udp_pcb* pcb = udp_new();
  if (pcb == nullptr || udp_bind(pcb, IP_ANY_TYPE, 7) != ERR_OK) {
    std::printf("lwip-udp-echo: cannot bind UDP port 7\n");
    return 1;
  }
  udp_recv(pcb, echo, nullptr);
  std::printf("lwip-udp-echo: lwIP %s, echoing UDP port 7 at 10.0.2.15\n", LWIP_VERSION_STRING);
  for (;;) lwip_netif.poll();
}

}  // namespace

TESSERA_MAIN(App, lwip_echo_main)
