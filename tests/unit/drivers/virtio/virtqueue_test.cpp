// drivers::virtio::SplitQueue (include/tessera/drivers/virtio/virtqueue.hpp) against a device
// simulated in memory: it reads the driver ring and descriptor table the way a virtio device
// does (virtio 1.2 §2.7) and writes used entries. Descriptor chains, the 16-bit indices
// wrapping past 65535, used-ring processing in order and out of order, a full queue, and a
// corrupt used entry.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <tessera/drivers/virtio/virtqueue.hpp>

#include "../../printers.hpp"

namespace {

using tessera::Error;
using tessera::drivers::virtio::Segment;
using tessera::drivers::virtio::SplitQueue;

// Ring memory of exact size (ASan catches a stray access), 16-byte aligned.
struct QueueMemory {
  explicit QueueMemory(std::uint32_t size)
      : bytes(static_cast<std::byte*>(::operator new(SplitQueue::bytes_for(size), std::align_val_t{16}))) {}
  ~QueueMemory() { ::operator delete(bytes, std::align_val_t{16}); }
  std::byte* bytes;
};

// What the device does with one chain it took from the driver ring.
struct Taken {
  std::uint16_t head = 0;
  std::vector<Segment> segments;
};

class SimulatedDevice {
 public:
  explicit SimulatedDevice(SplitQueue& q) : q_(q) {}

  // The chains the driver published and we have not taken yet (§2.7.6: avail.idx, ring[]).
  std::vector<Taken> take_all() {
    std::vector<Taken> taken;
    const std::uint16_t published = __atomic_load_n(&q_.driver_ring()[1], __ATOMIC_ACQUIRE);
    while (last_avail_ != published) {
      Taken t;
      t.head = q_.driver_ring()[2 + (last_avail_ % q_.size())];
      std::uint16_t index = t.head;
      for (std::uint32_t guard = 0; guard <= q_.size(); ++guard) {
        const auto& d = q_.descriptors()[index];
        t.segments.push_back({d.address, d.length, (d.flags & 2) != 0});
        if ((d.flags & 1) == 0) break;
        index = d.next;
      }
      taken.push_back(t);
      ++last_avail_;
    }
    return taken;
  }

  // Puts a chain on the used ring (§2.7.8), writing `fill` into its device-writable buffers.
  void complete(const Taken& t, std::byte fill) {
    std::uint32_t written = 0;
    for (const Segment& s : t.segments) {
      if (!s.device_writes) continue;
      std::memset(reinterpret_cast<void*>(static_cast<std::uintptr_t>(s.address)), std::to_integer<int>(fill), s.length);
      written += s.length;
    }
    complete_raw(t.head, written);
  }
  void complete_raw(std::uint32_t id, std::uint32_t written) {
    auto* ring = reinterpret_cast<std::uint32_t*>(q_.device_ring() + 2);
    ring[2 * (used_ % q_.size())] = id;
    ring[2 * (used_ % q_.size()) + 1] = written;
    ++used_;
    __atomic_store_n(&q_.device_ring()[1], used_, __ATOMIC_RELEASE);
  }
  std::uint16_t driver_flags() const { return q_.driver_ring()[0]; }

 private:
  SplitQueue& q_;
  std::uint16_t last_avail_ = 0, used_ = 0;
};

std::uint64_t address_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace

TEST_CASE("layout: parts aligned as §2.7 requires, sizes validated") {
  CHECK(SplitQueue::avail_offset(256) == 4096);
  CHECK(SplitQueue::used_offset(256) % 4 == 0);
  CHECK(SplitQueue::used_offset(256) >= 4096 + 6 + 512);
  CHECK(SplitQueue::bytes_for(256) >= SplitQueue::used_offset(256) + 6 + 8 * 256 + 4 * 256);
  CHECK(SplitQueue::valid_size(1));
  CHECK(SplitQueue::valid_size(32768));
  CHECK_FALSE(SplitQueue::valid_size(0));
  CHECK_FALSE(SplitQueue::valid_size(48));
  CHECK_FALSE(SplitQueue::valid_size(65536));
  QueueMemory memory(8);
  SplitQueue q;
  CHECK(q.attach(memory.bytes, 12).error() == Error::invalid_argument);
  CHECK(q.attach(memory.bytes + 8, 8).error() == Error::invalid_argument);  // misaligned
  CHECK(q.attach(memory.bytes, 8).ok());
  CHECK(q.free_descriptors() == 8);
}

TEST_CASE("a three-descriptor chain reaches the device intact and comes back with its token") {
  QueueMemory memory(8);
  SplitQueue q;
  REQUIRE(q.attach(memory.bytes, 8).ok());
  SimulatedDevice device(q);
  std::byte header[16]{}, data[512]{}, status[1]{};
  const Segment chain[] = {{address_of(header), 16, false}, {address_of(data), 512, true}, {address_of(status), 1, true}};
  REQUIRE(q.add(chain, 0xfeed).ok());
  CHECK(q.free_descriptors() == 5);
  CHECK(device.take_all().empty());  // not published yet
  q.publish();
  auto taken = device.take_all();
  REQUIRE(taken.size() == 1);
  REQUIRE(taken[0].segments.size() == 3);
  CHECK(taken[0].segments[0].address == address_of(header));
  CHECK(taken[0].segments[0].length == 16);
  CHECK_FALSE(taken[0].segments[0].device_writes);
  CHECK(taken[0].segments[1].address == address_of(data));
  CHECK(taken[0].segments[1].device_writes);
  CHECK(taken[0].segments[2].length == 1);

  CHECK(q.pop_used().error() == Error::would_block);
  device.complete(taken[0], std::byte{0xab});
  auto used = q.pop_used();
  REQUIRE(used.ok());
  CHECK(used.value().token == 0xfeed);
  CHECK(used.value().written == 513);
  CHECK(data[511] == std::byte{0xab});
  CHECK(status[0] == std::byte{0xab});
  CHECK(header[0] == std::byte{0});  // device-readable: untouched
  CHECK(q.free_descriptors() == 8);
  CHECK(q.pop_used().error() == Error::would_block);
}

TEST_CASE("a full queue refuses a chain with would_block, and accepts it once a chain is used") {
  QueueMemory memory(4);
  SplitQueue q;
  REQUIRE(q.attach(memory.bytes, 4).ok());
  SimulatedDevice device(q);
  std::byte buffers[4][64]{};
  for (std::uint32_t i = 0; i < 4; ++i) {
    const Segment one{address_of(buffers[i]), 64, true};
    REQUIRE(q.add({&one, 1}, i).ok());
  }
  CHECK(q.free_descriptors() == 0);
  const Segment extra{address_of(buffers[0]), 64, true};
  CHECK(q.add({&extra, 1}, 99).error() == Error::would_block);
  const Segment pair[] = {extra, extra};
  q.publish();
  auto taken = device.take_all();
  REQUIRE(taken.size() == 4);
  device.complete(taken[2], std::byte{3});  // out of order: the third first
  auto used = q.pop_used();
  REQUIRE(used.ok());
  CHECK(used.value().token == 2);
  CHECK(q.add(pair, 7).error() == Error::would_block);  // one free descriptor, two wanted
  REQUIRE(q.add({&extra, 1}, 42).ok());
  q.publish();
  auto again = device.take_all();
  REQUIRE(again.size() == 1);
  CHECK(again[0].head == taken[2].head);  // the freed descriptor was reused
  CHECK(q.add({}, 1).error() == Error::invalid_argument);
}

TEST_CASE("indices wrap past 65535 on both rings; tokens and lengths stay matched") {
  QueueMemory memory(16);
  SplitQueue q;
  REQUIRE(q.attach(memory.bytes, 16).ok());
  SimulatedDevice device(q);
  std::vector<std::byte> buffer(16 * 32);
  std::uint32_t next_token = 0, expected_token = 0;
  // 70,000 chains of one or two descriptors, up to 16 in flight, completed in order.
  while (expected_token < 70'000) {
    while (next_token < 70'000) {
      const std::uint32_t slot = next_token % 16;
      const Segment seg[] = {{address_of(&buffer[slot * 32]), 16, false}, {address_of(&buffer[slot * 32 + 16]), 16, true}};
      if (!q.add(std::span(seg).first(1 + next_token % 2), next_token)) break;
      ++next_token;
    }
    q.publish();
    for (const Taken& t : device.take_all()) device.complete(t, std::byte{1});
    while (auto used = q.pop_used()) {
      REQUIRE(used.value().token == expected_token);
      REQUIRE(used.value().written == (expected_token % 2 == 1 ? 16u : 0u));
      ++expected_token;
    }
  }
  CHECK(q.free_descriptors() == 16);
  CHECK(q.driver_ring()[1] == static_cast<std::uint16_t>(70'000));  // wrapped: 70000 mod 65536
  CHECK(q.device_ring()[1] == static_cast<std::uint16_t>(70'000));
}

TEST_CASE("a used entry naming a descriptor outside the table is corrupt, not followed") {
  QueueMemory memory(8);
  SplitQueue q;
  REQUIRE(q.attach(memory.bytes, 8).ok());
  SimulatedDevice device(q);
  device.complete_raw(8, 0);
  CHECK(q.pop_used().error() == Error::corrupt);
  CHECK(q.free_descriptors() == 8);
}

TEST_CASE("polled queues tell the device not to interrupt (§2.7.7)") {
  QueueMemory memory(8);
  SplitQueue q;
  REQUIRE(q.attach(memory.bytes, 8).ok());
  SimulatedDevice device(q);
  q.set_interrupts(false);
  CHECK(device.driver_flags() == 1);
  q.set_interrupts(true);
  CHECK(device.driver_flags() == 0);
}
