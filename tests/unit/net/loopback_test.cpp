// net::Loopback (include/tessera/net/loopback.hpp) through a stand-in kernel: frames sent
// come back in order in the same buffers, the pool runs dry and refills, and malformed frames
// (short, oversized, foreign buffers) are dropped with a counter. net::None for contrast.

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <vector>

#include <tessera/alloc/tlsf.hpp>
#include <tessera/net/loopback.hpp>
#include <tessera/net/none.hpp>

#include "../printers.hpp"

namespace {

using tessera::Error;
using tessera::api::PacketBuffer;

std::vector<std::byte> heap(1 << 20);

struct FakeKernel {
  static tessera::alloc::Tlsf<>& alloc() {
    static tessera::alloc::Tlsf<> tlsf;
    static bool ready = tlsf.add_region({heap.data(), heap.data() + heap.size()}).ok();
    (void)ready;
    return tlsf;
  }
};

using Loop = tessera::net::Loopback<{.buffers = 8, .mtu = 1500}>::bind<FakeKernel>;

PacketBuffer* frame(Loop& nic, std::size_t length, unsigned char fill) {
  auto b = nic.alloc_buffer();
  REQUIRE(b.ok());
  REQUIRE(b.value()->capacity >= length);
  std::memset(b.value()->data, fill, length);
  b.value()->length = static_cast<std::uint32_t>(length);
  return b.value();
}

}  // namespace

TEST_CASE("frames sent come back in order, in the same buffers, bytes intact") {
  Loop nic;
  REQUIRE(nic.init().ok());
  CHECK(nic.link_up());
  CHECK(nic.mtu() == 1500);
  std::array<PacketBuffer*, 3> out{frame(nic, 60, 1), frame(nic, 1514, 2), frame(nic, 14, 3)};
  const auto sent_buffers = out;
  CHECK(nic.tx_burst(out) == 3);
  std::array<PacketBuffer*, 8> in{};
  REQUIRE(nic.rx_burst(in) == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(in[i] == sent_buffers[i]);  // zero copy: the very buffers
  CHECK(in[0]->length == 60);
  CHECK(in[1]->length == 1514);
  CHECK(in[1]->data[1513] == std::byte{2});
  CHECK(in[2]->data[0] == std::byte{3});
  CHECK(nic.rx_burst(in) == 0);
  const auto c = nic.counters();
  CHECK(c.tx_packets == 3);
  CHECK(c.rx_packets == 3);
  CHECK(c.tx_bytes == 60 + 1514 + 14);
  CHECK(c.rx_bytes == c.tx_bytes);
  for (std::size_t i = 0; i < 3; ++i) nic.free_buffer(in[i]);
}

TEST_CASE("the pool runs dry with out_of_memory and refills when buffers come back") {
  Loop nic;
  REQUIRE(nic.init().ok());
  std::vector<PacketBuffer*> all;
  for (int i = 0; i < 8; ++i) all.push_back(frame(nic, 64, static_cast<unsigned char>(i)));
  CHECK(nic.alloc_buffer().error() == Error::out_of_memory);
  // A burst larger than what waits: rx_burst returns only what there is.
  CHECK(nic.tx_burst(std::span(all).first(5)) == 5);
  std::array<PacketBuffer*, 2> small{};
  CHECK(nic.rx_burst(small) == 2);
  CHECK(small[0]->data[0] == std::byte{0});
  CHECK(small[1]->data[0] == std::byte{1});
  nic.free_buffer(small[0]);
  CHECK(nic.alloc_buffer().ok());
  CHECK(nic.alloc_buffer().error() == Error::out_of_memory);
}

TEST_CASE("short, oversized and foreign frames are dropped and counted, never delivered") {
  Loop nic;
  REQUIRE(nic.init().ok());
  PacketBuffer foreign{};
  std::byte outside[64]{};
  foreign.data = outside;
  foreign.length = 64;
  std::array<PacketBuffer*, 5> out{frame(nic, 13, 1),     // shorter than an Ethernet header
                                   frame(nic, 1515, 2),   // one byte over header + MTU
                                   frame(nic, 0, 3),      // empty
                                   &foreign,              // not from this pool
                                   frame(nic, 64, 4)};    // the one good frame
  CHECK(nic.tx_burst(out) == 5);  // all taken: the bad ones back in the pool
  std::array<PacketBuffer*, 8> in{};
  REQUIRE(nic.rx_burst(in) == 1);
  CHECK(in[0]->length == 64);
  CHECK(in[0]->data[0] == std::byte{4});
  CHECK(nic.counters().tx_errors == 4);
  CHECK(nic.counters().tx_packets == 1);
  nic.free_buffer(in[0]);
  // every pool buffer is free again: 8 allocations succeed
  std::vector<PacketBuffer*> all;
  for (int i = 0; i < 8; ++i) {
    auto b = nic.alloc_buffer();
    REQUIRE(b.ok());
    all.push_back(b.value());
  }
  CHECK(nic.alloc_buffer().error() == Error::out_of_memory);
}

TEST_CASE("net::None: no frames, no buffers, nothing to count") {
  tessera::net::None none;
  std::array<PacketBuffer*, 4> burst{};
  CHECK(none.init().ok());
  CHECK_FALSE(none.link_up());
  CHECK(none.rx_burst(burst) == 0);
  CHECK(none.tx_burst(burst) == 0);
  CHECK(none.alloc_buffer().error() == Error::out_of_memory);
  CHECK(none.counters().rx_packets == 0);
  static_assert(sizeof(tessera::net::None) == 1);
}
