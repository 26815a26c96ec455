#pragma once
// The frame logic of udp-echo-raw, apart from any device so that unit tests can feed it
// frames (tests/unit/net/udp_echo_responder_test.cpp): answers ARP requests for our IPv4
// address and turns a UDP datagram to port 7 (echo, RFC 862) into its answer *in the same
// buffer*: addresses and ports swap places, nothing else changes. The IPv4 header checksum
// (RFC 791) and the UDP checksum (RFC 768, over a pseudo-header of both addresses) are sums
// of 16-bit words, so swapping words leaves them valid; no byte of payload is copied.
//
// Everything else (another EtherType, IPv4 options we do not answer, fragments, another
// port or address) is ignored; a frame too short for the headers it claims, or longer than
// the MTU allows, is malformed. Both are counted and the buffer is dropped by the caller.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace udp_echo {

using Mac = std::array<std::byte, 6>;
using Ipv4 = std::array<std::byte, 4>;

struct Counters {
  std::uint64_t arp_replies = 0, echoes = 0, ignored = 0, malformed = 0;
};

enum class Action { transmit, drop };

namespace offsets {
// IEEE 802.3 Ethernet II header: destination, source, EtherType.
inline constexpr std::size_t eth_dst = 0, eth_src = 6, eth_type = 12, eth_end = 14;
inline constexpr std::uint16_t type_ipv4 = 0x0800, type_arp = 0x0806;
// RFC 826 ARP for Ethernet/IPv4, from the end of the Ethernet header: htype, ptype, hlen,
// plen, oper, sha, spa, tha, tpa (28 bytes).
inline constexpr std::size_t arp_oper = 6, arp_sha = 8, arp_spa = 14, arp_tha = 18, arp_tpa = 24, arp_end = 28;
// RFC 791 IPv4 header: version/IHL, …, total length at 2, flags/fragment at 6, protocol at
// 9, checksum at 10, source at 12, destination at 16.
inline constexpr std::size_t ip_total = 2, ip_fragment = 6, ip_protocol = 9, ip_src = 12, ip_dst = 16;
inline constexpr std::uint8_t protocol_udp = 17;
// RFC 768 UDP header: source port, destination port, length, checksum.
inline constexpr std::size_t udp_src = 0, udp_dst = 2, udp_length = 4, udp_end = 8;
}  // namespace offsets

class Responder {
 public:
  Responder(Mac mac, Ipv4 ip, std::uint16_t port = 7, std::size_t mtu = 1500) : mac_(mac), ip_(ip), port_(port), mtu_(mtu) {}

  // `frame` is a received Ethernet frame in a buffer we may write; returns whether it now
  // holds the answer to send (same length).
  Action handle(std::span<std::byte> frame) {
    using namespace offsets;
    if (frame.size() < eth_end || frame.size() > eth_end + mtu_) return malformed();
    const std::uint16_t type = be16(frame, eth_type);
    if (type == type_arp) return arp(frame.subspan(eth_end), frame);
    if (type == type_ipv4) return ipv4(frame.subspan(eth_end), frame);
    return ignored();
  }

  const Counters& counters() const { return counters_; }

 private:
  Action arp(std::span<std::byte> a, std::span<std::byte> frame) {
    using namespace offsets;
    if (a.size() < arp_end) return malformed();
    // Ethernet (1), IPv4 (0x0800), 6-byte and 4-byte addresses, a request (1) for us.
    if (be16(a, 0) != 1 || be16(a, 2) != type_ipv4 || a[4] != std::byte{6} || a[5] != std::byte{4}) return ignored();
    if (be16(a, arp_oper) != 1 || !equal(a.subspan(arp_tpa, 4), ip_)) return ignored();
    copy(a.subspan(arp_sha, 6), a.subspan(arp_tha, 6));  // the asker becomes the target
    copy(a.subspan(arp_spa, 4), a.subspan(arp_tpa, 4));
    put(a.subspan(arp_sha, 6), mac_);
    put(a.subspan(arp_spa, 4), ip_);
    a[arp_oper + 1] = std::byte{2};  // reply
    copy(frame.subspan(eth_src, 6), frame.subspan(eth_dst, 6));
    put(frame.subspan(eth_src, 6), mac_);
    ++counters_.arp_replies;
    return Action::transmit;
  }

  Action ipv4(std::span<std::byte> ip, std::span<std::byte> frame) {
    using namespace offsets;
    if (ip.size() < 20) return malformed();
    const auto version = std::to_integer<unsigned>(ip[0]) >> 4, header = (std::to_integer<unsigned>(ip[0]) & 15) * 4u;
    const std::size_t total = be16(ip, ip_total);
    if (version != 4 || header < 20 || total < header || total > ip.size()) return malformed();
    if (!equal(ip.subspan(ip_dst, 4), ip_)) return ignored();
    if ((be16(ip, ip_fragment) & 0x3fff) != 0) return ignored();  // a fragment (MF set or an offset)
    if (std::to_integer<std::uint8_t>(ip[ip_protocol]) != protocol_udp) return ignored();
    auto udp = ip.subspan(header, total - header);
    if (udp.size() < udp_end || be16(udp, udp_length) < udp_end || be16(udp, udp_length) > udp.size())
      return malformed();
    if (be16(udp, udp_dst) != port_) return ignored();
    swap(udp.subspan(udp_src, 2), udp.subspan(udp_dst, 2));
    swap(ip.subspan(ip_src, 4), ip.subspan(ip_dst, 4));
    swap(frame.subspan(eth_src, 6), frame.subspan(eth_dst, 6));
    put(frame.subspan(eth_src, 6), mac_);  // from us even if it came to a broadcast address
    ++counters_.echoes;
    return Action::transmit;
  }

  Action malformed() {
    ++counters_.malformed;
    return Action::drop;
  }
  Action ignored() {
    ++counters_.ignored;
    return Action::drop;
  }
  static std::uint16_t be16(std::span<const std::byte> s, std::size_t at) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(s[at]) << 8 | std::to_integer<unsigned>(s[at + 1]));
  }
  template <std::size_t N>
  static bool equal(std::span<const std::byte> s, const std::array<std::byte, N>& a) {
    for (std::size_t i = 0; i < N; ++i)
      if (s[i] != a[i]) return false;
    return true;
  }
  template <std::size_t N>
  static void put(std::span<std::byte> to, const std::array<std::byte, N>& a) {
    for (std::size_t i = 0; i < N; ++i) to[i] = a[i];
  }
  static void copy(std::span<const std::byte> from, std::span<std::byte> to) {
    for (std::size_t i = 0; i < from.size(); ++i) to[i] = from[i];
  }
  static void swap(std::span<std::byte> a, std::span<std::byte> b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::byte t = a[i];
      a[i] = b[i];
      b[i] = t;
    }
  }

  Mac mac_;
  Ipv4 ip_;
  std::uint16_t port_;
  std::size_t mtu_;
  Counters counters_;
};

}  // namespace udp_echo
