// ./tessera bench net's guest: both UDP echo paths in one image, so they run in the same QEMU,
// over the same card and the same receive thread (tests/bench/net.py drives them alternately):
//
//   UDP port 7  the raw path: net::LwipSockets' receive filter (RawEcho below) answers in the
//               driver's buffer with examples/udp-echo-raw's responder and sends that buffer;
//               such frames never reach lwIP.
//   UDP port 8  lwIP's sockets: a thread in lwip_recvfrom/lwip_sendto, as examples/udp-echo.
//   UDP port 9  a query: the answer is this image's counters as JSON.
//
// Copies are counted where they happen, not estimated: every call of lwIP's pbuf copy functions
// (pbuf_copy_partial, pbuf_copy, pbuf_take: the only ways lwIP and net::LwipNetif move payload
// between a pbuf and other memory) goes through a counting wrapper (-Wl,--wrap, see
// tests/bench/meson.build), attributed to the path whose code made it: inside the raw filter,
// or in the port-8 echo thread or the receive thread (lwIP's path: with LWIP_TCPIP_CORE_LOCKING
// lwip_sendto transmits from the calling thread). The query thread's own copies are not counted.

#include <cstdio>

#include <tessera/net/lwip_sockets.hpp>
#include <tessera/net/virtio_net.hpp>
#include <tessera/tessera.hpp>

#include "responder.hpp"

using Net = tessera::net::VirtioNet<{.queue_size = 256, .buffers = 512}>;

namespace {

struct Counts {
  std::uint64_t raw_echoes = 0, raw_copies = 0, lwip_echoes = 0, lwip_copies = 0, other_copies = 0;
} counts;
bool in_raw_path = false;
tessera::api::ThreadId echo_thread = 0, query_thread = 0;

constexpr udp_echo::Ipv4 kAddress{std::byte{10}, std::byte{0}, std::byte{2}, std::byte{15}};

// The raw path: UDP to port 7 is answered in place, and the burst's answers leave in one
// tx_burst (flush, after the burst: one notification of the card, as udp-echo-raw does);
// everything else goes on to lwIP.
struct RawEcho {
  static inline tessera::api::PacketBuffer* answers[32];  // LwipNetif's bursts are at most 32
  static inline std::size_t pending = 0;
  template <class Device>
  static void flush(Device& device) {
    const std::size_t sent = device.tx_burst(std::span(answers, pending));
    counts.raw_echoes += sent;
    for (std::size_t i = sent; i < pending; ++i) device.free_buffer(answers[i]);  // the queue was full
    pending = 0;
  }
  template <class Device>
  static bool take(Device& device, tessera::api::PacketBuffer* b) {
    using namespace udp_echo::offsets;
    const auto f = b->frame();
    // Ethernet II, IPv4 without options, UDP, destination port 7 (the responder checks the rest).
    if (f.size() < eth_end + 20 + udp_end || f[eth_type] != std::byte{0x08} || f[eth_type + 1] != std::byte{0x00} ||
        f[eth_end] != std::byte{0x45} || f[eth_end + ip_protocol] != std::byte{protocol_udp} ||
        f[eth_end + 20 + udp_dst] != std::byte{0} || f[eth_end + 20 + udp_dst + 1] != std::byte{7})
      return false;
    static udp_echo::Responder responder(device.mac(), kAddress, 7, device.mtu());
    in_raw_path = true;
    if (responder.handle(f) == udp_echo::Action::transmit) {
      answers[pending++] = b;
    } else {
      device.free_buffer(b);
    }
    in_raw_path = false;
    return true;
  }
};

}  // namespace

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, Net, tessera::block::None,
                            tessera::platform::Target>;

namespace {

tessera::net::LwipSockets<App, {}, RawEcho> stack;
tessera::api::ThreadId receive_thread = 0;

void count_copy() {
  const auto me = App::sched().current();
  if (in_raw_path)
    ++counts.raw_copies;
  else if (me == echo_thread || me == receive_thread)
    ++counts.lwip_copies;
  else
    ++counts.other_copies;
}

int bound_udp(std::uint16_t port) {
  const int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in here{};
  here.sin_family = AF_INET;
  here.sin_port = lwip_htons(port);
  here.sin_addr.s_addr = lwip_htonl(INADDR_ANY);
  if (s < 0 || lwip_bind(s, reinterpret_cast<sockaddr*>(&here), sizeof here) != 0) {
    std::printf("net-bench: cannot bind UDP port %u\n", port);
    App::exit(1);
  }
  return s;
}

void lwip_echo(void*) {
  echo_thread = App::sched().current();
  const int s = bound_udp(8);
  static char datagram[2048];
  for (;;) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const auto n = lwip_recvfrom(s, datagram, sizeof datagram, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) continue;
    if (lwip_sendto(s, datagram, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), length) == n)
      ++counts.lwip_echoes;
  }
}

int bench_main() {
  if (auto started = stack.start_static({.address = {10, 0, 2, 15}, .gateway = {10, 0, 2, 2}}); !started) {
    std::printf("net-bench: lwIP did not start: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  receive_thread = stack.receive_thread();
  if (!App::sched().spawn(&lwip_echo, nullptr, {.name = "lwip-echo"})) return 1;
  query_thread = App::sched().current();
  const int s = bound_udp(9);
  std::printf("net-bench: raw echo on UDP port 7, lwIP sockets echo on port 8, counters on port 9\n");
  static char query[512], answer[1024];
  for (;;) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    if (lwip_recvfrom(s, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&from), &length) < 0) continue;
    const auto nic = App::net().counters();
    const auto& lwip = stack.counters();
    const int n = std::snprintf(
        answer, sizeof answer,
        "{\"raw_echoes\": %llu, \"raw_copies\": %llu, \"lwip_echoes\": %llu, \"lwip_copies\": %llu, "
        "\"other_copies\": %llu, \"nic_rx\": %llu, \"nic_tx\": %llu, \"nic_rx_dropped\": %llu, "
        "\"lwip_rx_frames\": %llu, \"lwip_tx_frames\": %llu, \"lwip_rx_dropped\": %llu, \"lwip_tx_copies\": %llu}",
        static_cast<unsigned long long>(counts.raw_echoes), static_cast<unsigned long long>(counts.raw_copies),
        static_cast<unsigned long long>(counts.lwip_echoes), static_cast<unsigned long long>(counts.lwip_copies),
        static_cast<unsigned long long>(counts.other_copies), static_cast<unsigned long long>(nic.rx_packets),
        static_cast<unsigned long long>(nic.tx_packets), static_cast<unsigned long long>(nic.rx_dropped),
        static_cast<unsigned long long>(lwip.rx_frames), static_cast<unsigned long long>(lwip.tx_frames),
        static_cast<unsigned long long>(lwip.rx_dropped_no_pbuf), static_cast<unsigned long long>(lwip.tx_copies));
    lwip_sendto(s, answer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), length);
  }
}

}  // namespace

// The counting wrappers (-Wl,--wrap=pbuf_copy_partial,--wrap=pbuf_copy,--wrap=pbuf_take).
extern "C" {
u16_t __real_pbuf_copy_partial(const struct pbuf* p, void* data, u16_t length, u16_t offset);
err_t __real_pbuf_copy(struct pbuf* to, const struct pbuf* from);
err_t __real_pbuf_take(struct pbuf* p, const void* data, u16_t length);
u16_t __wrap_pbuf_copy_partial(const struct pbuf* p, void* data, u16_t length, u16_t offset) {
  count_copy();
  return __real_pbuf_copy_partial(p, data, length, offset);
}
err_t __wrap_pbuf_copy(struct pbuf* to, const struct pbuf* from) {
  count_copy();
  return __real_pbuf_copy(to, from);
}
err_t __wrap_pbuf_take(struct pbuf* p, const void* data, u16_t length) {
  count_copy();
  return __real_pbuf_take(p, data, length);
}
}

TESSERA_MAIN(App, bench_main)
TESSERA_LWIP_SYS_ARCH(App)
