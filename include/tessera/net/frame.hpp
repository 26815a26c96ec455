#pragma once
// Ethernet frame limits every net component checks before it hands a frame on: shorter than
// an Ethernet header, or longer than header + MTU, is malformed (counted in rx_errors or
// tx_errors and dropped, never passed on). IEEE 802.3 §3.1.1: 14-byte header, no FCS here
// (devices strip and add it).

#include <cstddef>
#include <cstdint>

namespace tessera::net {

inline constexpr std::size_t kEthernetHeader = 14;  // destination, source, EtherType
inline constexpr std::size_t kDefaultMtu = 1500;

constexpr bool frame_length_ok(std::size_t length, std::size_t mtu) {
  return length >= kEthernetHeader && length <= kEthernetHeader + mtu;
}

}  // namespace tessera::net
