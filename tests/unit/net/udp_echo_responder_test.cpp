// examples/udp-echo-raw/responder.hpp: ARP replies and UDP echo answers built in the received
// frame (addresses swapped, checksums still valid), and bad input — short, oversized,
// truncated headers, another EtherType — dropped with a counter, never read out of bounds
// (each frame sits in a heap block of its exact size, under AddressSanitizer).

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "../../../examples/udp-echo-raw/responder.hpp"

namespace {

using udp_echo::Action;
using Bytes = std::vector<std::byte>;

const udp_echo::Mac kOurMac{std::byte{0x52}, std::byte{0x54}, std::byte{0}, std::byte{0x12}, std::byte{0x34}, std::byte{0x56}};
const udp_echo::Ipv4 kOurIp{std::byte{10}, std::byte{0}, std::byte{2}, std::byte{15}};
const std::uint8_t kPeerMac[6] = {0x52, 0x55, 10, 0, 2, 2};
const std::uint8_t kPeerIp[4] = {10, 0, 2, 2};

void put16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = std::byte(v >> 8);
  b[at + 1] = std::byte(v & 0xff);
}
unsigned get16(const Bytes& b, std::size_t at) { return std::to_integer<unsigned>(b[at]) << 8 | std::to_integer<unsigned>(b[at + 1]); }
void put(Bytes& b, std::size_t at, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) b[at + i] = std::byte{p[i]};
}

// RFC 1071 one's-complement sum of 16-bit words.
unsigned checksum(const Bytes& b, std::size_t from, std::size_t length, unsigned sum = 0) {
  for (std::size_t i = 0; i + 1 < length; i += 2) sum += get16(b, from + i);
  if (length % 2) sum += std::to_integer<unsigned>(b[from + length - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

Bytes udp_frame(std::size_t payload, std::uint16_t port = 7) {
  Bytes f(14 + 20 + 8 + payload);
  put(f, 0, reinterpret_cast<const std::uint8_t*>(kOurMac.data()), 6);
  put(f, 6, kPeerMac, 6);
  put16(f, 12, 0x0800);
  f[14] = std::byte{0x45};
  put16(f, 16, 20 + 8 + payload);
  f[14 + 8] = std::byte{64};
  f[14 + 9] = std::byte{17};
  put(f, 14 + 12, kPeerIp, 4);
  put(f, 14 + 16, reinterpret_cast<const std::uint8_t*>(kOurIp.data()), 4);
  put16(f, 14 + 10, ~checksum(f, 14, 20) & 0xffff);
  put16(f, 34, 40000);
  put16(f, 36, port);
  put16(f, 38, 8 + payload);
  for (std::size_t i = 0; i < payload; ++i) f[42 + i] = std::byte(i * 7 + 1);
  // UDP checksum over the pseudo-header (source, destination, protocol, length) and the datagram
  unsigned pseudo = checksum(f, 26, 8) + 17 + 8 + payload;
  put16(f, 40, ~checksum(f, 34, 8 + payload, pseudo) & 0xffff);
  return f;
}

Bytes arp_request(const udp_echo::Ipv4& target) {
  Bytes f(42);
  for (int i = 0; i < 6; ++i) f[i] = std::byte{0xff};
  put(f, 6, kPeerMac, 6);
  put16(f, 12, 0x0806);
  put16(f, 14, 1);
  put16(f, 16, 0x0800);
  f[18] = std::byte{6};
  f[19] = std::byte{4};
  put16(f, 20, 1);
  put(f, 22, kPeerMac, 6);
  put(f, 28, kPeerIp, 4);
  put(f, 38, reinterpret_cast<const std::uint8_t*>(target.data()), 4);
  return f;
}

// Each frame in its own heap block of exactly its size.
Action feed(udp_echo::Responder& r, Bytes& frame) { return r.handle(std::span(frame.data(), frame.size())); }

}  // namespace

TEST_CASE("a UDP datagram to port 7 becomes its echo in place, with valid checksums") {
  udp_echo::Responder r(kOurMac, kOurIp);
  Bytes f = udp_frame(100);
  const Bytes original = f;
  REQUIRE(feed(r, f) == Action::transmit);
  CHECK(r.counters().echoes == 1);
  for (int i = 0; i < 6; ++i) {
    CHECK(f[i] == original[6 + i]);           // to the sender's MAC
    CHECK(f[6 + i] == kOurMac[i]);            // from ours
  }
  for (int i = 0; i < 4; ++i) {
    CHECK(f[26 + i] == original[30 + i]);     // source IP: ours
    CHECK(f[30 + i] == original[26 + i]);     // destination: the sender
  }
  CHECK(get16(f, 34) == 7);
  CHECK(get16(f, 36) == 40000);
  CHECK(Bytes(f.begin() + 42, f.end()) == Bytes(original.begin() + 42, original.end()));  // payload untouched
  CHECK(checksum(f, 14, 20) == 0xffff);       // IPv4 header checksum still verifies
  unsigned pseudo = checksum(f, 26, 8) + 17 + 8 + 100;
  CHECK(checksum(f, 34, 108, pseudo) == 0xffff);  // and the UDP checksum
}

TEST_CASE("an ARP request for our address is answered in place; others are ignored") {
  udp_echo::Responder r(kOurMac, kOurIp);
  Bytes f = arp_request(kOurIp);
  REQUIRE(feed(r, f) == Action::transmit);
  CHECK(get16(f, 20) == 2);  // reply
  for (int i = 0; i < 6; ++i) {
    CHECK(f[i] == std::byte{kPeerMac[i]});
    CHECK(f[22 + i] == kOurMac[i]);           // sender hardware address: ours
    CHECK(f[32 + i] == std::byte{kPeerMac[i]});
  }
  for (int i = 0; i < 4; ++i) {
    CHECK(f[28 + i] == kOurIp[i]);
    CHECK(f[38 + i] == std::byte{kPeerIp[i]});
  }
  Bytes other = arp_request({std::byte{10}, std::byte{0}, std::byte{2}, std::byte{99}});
  CHECK(feed(r, other) == Action::drop);
  CHECK(r.counters().arp_replies == 1);
  CHECK(r.counters().ignored == 1);
}

TEST_CASE("short, oversized, truncated and foreign frames are dropped and counted") {
  udp_echo::Responder r(kOurMac, kOurIp);
  std::uint64_t malformed = 0, ignored = 0;
  auto expect = [&](Bytes f, bool is_malformed) {
    CHECK(feed(r, f) == Action::drop);
    (is_malformed ? malformed : ignored) += 1;
    CHECK(r.counters().malformed == malformed);
    CHECK(r.counters().ignored == ignored);
  };
  expect(Bytes(0), true);
  expect(Bytes(13), true);                                 // shorter than an Ethernet header
  expect(Bytes(1515), true);                               // longer than header + MTU
  Bytes good = udp_frame(32);
  expect(Bytes(good.begin(), good.begin() + 14 + 19), true);  // IPv4 header cut short
  expect(Bytes(good.begin(), good.begin() + 14 + 24), true);  // UDP header cut short (total length says more)
  Bytes bad_type = good;
  put16(bad_type, 12, 0x86dd);                             // IPv6: not ours
  expect(bad_type, false);
  Bytes bad_ihl = good;
  bad_ihl[14] = std::byte{0x44};                           // IHL 4: a header shorter than 20 bytes
  expect(bad_ihl, true);
  Bytes bad_total = good;
  put16(bad_total, 16, 2000);                              // IPv4 total length past the frame
  expect(bad_total, true);
  Bytes bad_udp_length = good;
  put16(bad_udp_length, 38, 4);                            // UDP length below its own header
  expect(bad_udp_length, true);
  Bytes other_port = udp_frame(10, 9);
  expect(other_port, false);
  Bytes fragment = good;
  put16(fragment, 20, 0x2000);                             // more fragments
  expect(fragment, false);
  Bytes arp_short = arp_request(kOurIp);
  arp_short.resize(14 + 27);
  expect(arp_short, true);
  CHECK(r.counters().echoes == 0);
  CHECK(r.counters().arp_replies == 0);
}

TEST_CASE("100,000 random and mutated frames: no crash, no out-of-bounds read, every frame counted") {
  udp_echo::Responder r(kOurMac, kOurIp);
  std::mt19937 random(12345);  // fixed seed: reproducible
  const Bytes seeds[] = {udp_frame(64), udp_frame(1472), arp_request(kOurIp)};
  for (int i = 0; i < 100'000; ++i) {
    Bytes f;
    if (i % 4 == 0) {
      f.resize(random() % 1600);
      for (auto& b : f) b = std::byte(random());
    } else {
      f = seeds[random() % 3];
      for (unsigned flips = random() % 8; flips > 0; --flips) f[random() % f.size()] = std::byte(random());
      if (random() % 3 == 0) f.resize(random() % (f.size() + 1));
    }
    (void)feed(r, f);
  }
  const auto& c = r.counters();
  CHECK(c.echoes + c.arp_replies + c.ignored + c.malformed == 100'000);
  CHECK(c.malformed > 0);
  CHECK(c.echoes > 0);
}
