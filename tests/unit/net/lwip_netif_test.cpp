// net::LwipNetif (include/tessera/net/lwip_netif.hpp) with lwIP 2.1.3 over a device the test
// feeds: ARP, UDP echo and ICMP echo answered with the right bytes; received frames reach lwIP
// in the device's own buffers and every one comes back; then 100,000 seeded random and mutated
// frames (ARP, IPv4, UDP, TCP, ICMP, truncated, oversized). Each received frame sits in a heap
// block of exactly its size and lwIP is compiled with the sanitizers, so a read past a frame
// fails the test.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include <tessera/api/net_device.hpp>
#include <tessera/net/lwip_netif.hpp>

extern "C" {
#include "lwip/icmp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
}

namespace {

using Bytes = std::vector<std::uint8_t>;
using tessera::api::PacketBuffer;

// A NetDevice whose received frames are whatever the test feeds, each in its own exact-size
// heap block; sent frames are kept for the test to read.
class FeedDevice {
 public:
  static constexpr const char* name = "test::FeedDevice";
  static constexpr bool present = true;
  tessera::Result<void> init() { return {}; }
  tessera::api::MacAddress mac() const {
    return {std::byte{0x52}, std::byte{0x54}, std::byte{0}, std::byte{0x12}, std::byte{0x34}, std::byte{0x56}};
  }
  std::size_t mtu() const { return 1500; }
  bool link_up() const { return true; }
  tessera::api::NetCounters counters() const { return {}; }

  std::size_t rx_burst(std::span<PacketBuffer*> out) {
    std::size_t n = 0;
    while (n < out.size() && !waiting_.empty()) {
      out[n++] = waiting_.front();
      waiting_.pop_front();
    }
    return n;
  }
  std::size_t tx_burst(std::span<PacketBuffer*> in) {
    for (PacketBuffer* b : in) {
      sent.emplace_back(reinterpret_cast<std::uint8_t*>(b->data), reinterpret_cast<std::uint8_t*>(b->data) + b->length);
      free_buffer(b);
    }
    return in.size();
  }
  tessera::Result<PacketBuffer*> alloc_buffer() { return make(1514); }
  void free_buffer(PacketBuffer* b) {
    delete[] b->data;
    delete b;
    --outstanding;
  }

  void feed(const Bytes& frame) {
    PacketBuffer* b = make(frame.size());
    if (!frame.empty()) std::memcpy(b->data, frame.data(), frame.size());
    b->length = static_cast<std::uint32_t>(frame.size());
    waiting_.push_back(b);
  }

  std::vector<Bytes> sent;
  long outstanding = 0;  // buffers handed out and not yet back

 private:
  PacketBuffer* make(std::size_t capacity) {
    ++outstanding;
    auto* b = new PacketBuffer{};
    b->data = new std::byte[capacity == 0 ? 1 : capacity];
    b->capacity = static_cast<std::uint32_t>(capacity);
    return b;
  }
  std::deque<PacketBuffer*> waiting_;
};
static_assert(tessera::api::NetDevice<FeedDevice>);

const Bytes kOurMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, kPeerMac{0x52, 0x55, 10, 0, 2, 2};
const Bytes kOurIp{10, 0, 2, 15}, kPeerIp{10, 0, 2, 2};

void put16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
unsigned get16(const Bytes& b, std::size_t at) { return b[at] << 8 | b[at + 1]; }
void put(Bytes& b, std::size_t at, const Bytes& v) { std::copy(v.begin(), v.end(), b.begin() + at); }
unsigned sum(const Bytes& b, std::size_t from, std::size_t n, unsigned s = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) s += get16(b, from + i);
  if (n % 2) s += b[from + n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

Bytes ethernet(unsigned type, std::size_t body, const Bytes& to = kOurMac) {
  Bytes f(14 + body);
  put(f, 0, to);
  put(f, 6, kPeerMac);
  put16(f, 12, type);
  return f;
}

Bytes arp_request() {
  Bytes f = ethernet(0x0806, 28, Bytes(6, 0xff));
  put16(f, 14, 1);
  put16(f, 16, 0x0800);
  f[18] = 6;
  f[19] = 4;
  put16(f, 20, 1);
  put(f, 22, kPeerMac);
  put(f, 28, kPeerIp);
  put(f, 38, kOurIp);
  return f;
}

// An IPv4 packet to us with `protocol` and a transport part whose checksum is set by `seal`.
Bytes ipv4(unsigned protocol, const Bytes& transport) {
  Bytes f = ethernet(0x0800, 20 + transport.size());
  f[14] = 0x45;
  put16(f, 16, 20 + transport.size());
  f[22] = 64;
  f[23] = static_cast<std::uint8_t>(protocol);
  put(f, 26, kPeerIp);
  put(f, 30, kOurIp);
  put16(f, 24, ~sum(f, 14, 20) & 0xffff);
  put(f, 34, transport);
  return f;
}

Bytes udp(unsigned port, const Bytes& payload) {
  Bytes t(8 + payload.size());
  put16(t, 0, 40000);
  put16(t, 2, port);
  put16(t, 4, t.size());
  put(t, 8, payload);
  Bytes pseudo = kPeerIp;
  pseudo.insert(pseudo.end(), kOurIp.begin(), kOurIp.end());
  const unsigned s = sum(pseudo, 0, 8) + 17 + t.size();
  put16(t, 6, (~sum(t, 0, t.size(), s) & 0xffff) ?: 0xffff);
  return ipv4(17, t);
}

Bytes tcp_syn(unsigned port) {
  Bytes t(20);
  put16(t, 0, 40001);
  put16(t, 2, port);
  put16(t, 4, 0x1234);
  t[12] = 5 << 4;
  t[13] = 0x02;  // SYN
  put16(t, 14, 8192);
  Bytes pseudo = kPeerIp;
  pseudo.insert(pseudo.end(), kOurIp.begin(), kOurIp.end());
  put16(t, 16, ~sum(t, 0, 20, sum(pseudo, 0, 8) + 6 + 20) & 0xffff);
  return ipv4(6, t);
}

Bytes icmp_echo(const Bytes& payload) {
  Bytes t(8 + payload.size());
  t[0] = 8;  // echo request
  put16(t, 4, 0x77);
  put16(t, 6, 1);
  put(t, 8, payload);
  put16(t, 2, ~sum(t, 0, t.size()) & 0xffff);
  return ipv4(1, t);
}

struct Stack {
  FeedDevice device;
  tessera::net::LwipNetif<FeedDevice, 16> netif;
  udp_pcb* echo = nullptr;
  tcp_pcb* listener = nullptr;

  Stack() {
    ip4_addr_t a, m, g;
    IP4_ADDR(&a, 10, 0, 2, 15);
    IP4_ADDR(&m, 255, 255, 255, 0);
    IP4_ADDR(&g, 10, 0, 2, 2);
    REQUIRE(netif.start(device, a, m, g).ok());
    REQUIRE(device.sent.size() == 1);  // lwIP announces itself: a gratuitous ARP
    CHECK(get16(device.sent[0], 12) == 0x0806);
    device.sent.clear();
    echo = udp_new();
    REQUIRE(udp_bind(echo, IP_ANY_TYPE, 7) == ERR_OK);
    udp_recv(
        echo, [](void*, udp_pcb* pcb, pbuf* p, const ip_addr_t* from, u16_t port) {
          udp_sendto(pcb, p, from, port);
          pbuf_free(p);
        },
        nullptr);
    tcp_pcb* t = tcp_new();
    REQUIRE(tcp_bind(t, IP_ANY_TYPE, 80) == ERR_OK);
    listener = tcp_listen(t);
    tcp_accept(listener, [](void*, tcp_pcb* pcb, err_t) -> err_t {
      tcp_recv(pcb, [](void*, tcp_pcb* c, pbuf* p, err_t) -> err_t {
        if (p == nullptr) return tcp_close(c);
        tcp_recved(c, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
      });
      return ERR_OK;
    });
  }
  ~Stack() {
    udp_remove(echo);
    tcp_close(listener);
    while (tcp_active_pcbs != nullptr) tcp_abort(tcp_active_pcbs);
    netif_remove(netif.netif());
  }
};

}  // namespace

TEST_CASE("ARP, UDP echo and ICMP echo answered with the right bytes; every received buffer comes back") {
  Stack s;
  s.device.feed(arp_request());
  s.netif.poll();
  INFO("rx " << s.netif.counters().rx_frames << " short " << s.netif.counters().rx_dropped_short << " nopbuf "
            << s.netif.counters().rx_dropped_no_pbuf << " tx " << s.netif.counters().tx_frames << " txdrop "
            << s.netif.counters().tx_dropped << " outstanding " << s.device.outstanding);
  REQUIRE(s.device.sent.size() == 1);
  const Bytes& arp = s.device.sent[0];
  REQUIRE(arp.size() >= 42);
  CHECK(Bytes(arp.begin(), arp.begin() + 6) == kPeerMac);
  CHECK(get16(arp, 12) == 0x0806);
  CHECK(get16(arp, 20) == 2);  // reply
  CHECK(Bytes(arp.begin() + 22, arp.begin() + 28) == kOurMac);
  CHECK(Bytes(arp.begin() + 28, arp.begin() + 32) == kOurIp);

  const Bytes payload{'t', 'e', 's', 's', 'e', 'r', 'a', 0, 1, 2, 255};
  s.device.feed(udp(7, payload));
  s.netif.poll();
  REQUIRE(s.device.sent.size() == 2);
  const Bytes& echo = s.device.sent[1];
  REQUIRE(echo.size() == 14 + 20 + 8 + payload.size());
  CHECK(Bytes(echo.begin(), echo.begin() + 6) == kPeerMac);
  CHECK(Bytes(echo.begin() + 30, echo.begin() + 34) == kPeerIp);
  CHECK(get16(echo, 34) == 7);
  CHECK(get16(echo, 36) == 40000);
  CHECK(Bytes(echo.begin() + 42, echo.end()) == payload);
  CHECK(sum(echo, 14, 20) == 0xffff);  // lwIP's IPv4 header checksum verifies

  s.device.feed(icmp_echo({1, 2, 3, 4, 5}));
  s.netif.poll();
  REQUIRE(s.device.sent.size() == 3);
  CHECK(s.device.sent[2][34] == 0);  // echo reply
  CHECK(Bytes(s.device.sent[2].end() - 5, s.device.sent[2].end()) == Bytes{1, 2, 3, 4, 5});

  s.device.feed(tcp_syn(80));
  s.netif.poll();
  REQUIRE(s.device.sent.size() == 4);
  CHECK(s.device.sent[3][47] == 0x12);  // SYN+ACK

  CHECK(s.netif.counters().rx_frames == 4);
  CHECK(s.netif.counters().tx_frames == 5);  // and the gratuitous ARP
  CHECK(s.netif.counters().tx_copies == 5);
  CHECK(s.device.outstanding == 0);  // lwIP gave every received buffer back
}

TEST_CASE("100,000 seeded random and mutated frames: no crash, no overread, no buffer kept") {
  Stack s;
  std::mt19937 random(20261202);  // fixed seed: reproducible
  s.device.feed(arp_request());
  s.netif.poll();
  const Bytes seeds[] = {arp_request(), udp(7, Bytes(64, 0x5a)), udp(7, Bytes(1472, 0x33)), udp(9, Bytes(10, 1)),
                         tcp_syn(80), tcp_syn(81), icmp_echo(Bytes(56, 7))};
  for (int i = 0; i < 100'000; ++i) {
    Bytes f;
    switch (random() % 5) {
      case 0:  // noise, up to a 2 KiB frame (longer than any MTU allows)
        f.resize(random() % 2048);
        for (auto& b : f) b = static_cast<std::uint8_t>(random());
        break;
      case 1:  // a valid frame, truncated
        f = seeds[random() % std::size(seeds)];
        f.resize(random() % (f.size() + 1));
        break;
      default:  // a valid frame with a few bytes changed (headers more often than not)
        f = seeds[random() % std::size(seeds)];
        for (unsigned flips = 1 + random() % 4; flips > 0; --flips)
          f[random() % 2 ? random() % std::min<std::size_t>(f.size(), 60) : random() % f.size()] =
              static_cast<std::uint8_t>(random());
        break;
    }
    s.device.feed(f);
    if (i % 16 == 15) s.netif.poll();
  }
  s.netif.poll();
  const auto& c = s.netif.counters();
  CHECK(c.rx_frames + c.rx_dropped_no_pbuf + c.rx_dropped_short == 100'001);
  CHECK(c.rx_dropped_short > 0);
  CHECK(s.device.sent.size() > 1000);  // the valid ones among the mutations were still answered
  INFO("buffers lwIP still holds: " << s.device.outstanding);
  while (tcp_active_pcbs != nullptr) tcp_abort(tcp_active_pcbs);  // out-of-order segments go with them
  CHECK(s.device.outstanding == 0);
}
