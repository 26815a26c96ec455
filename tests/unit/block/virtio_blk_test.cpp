// block::VirtioBlk's core (include/tessera/block/virtio_blk.hpp) against a virtio-blk device
// simulated in memory: its virtio-mmio registers are an array the transport reads and
// writes, and the test plays the device on the ring (virtio 1.2 §2.7, §5.2.6): it walks each
// header/data/status chain, does the I/O on a byte array and answers out of order. Several
// requests in flight, a full queue, a request the device fails (VIRTIO_BLK_S_IOERR: only that
// one is io_error), flush chains, capacity from the configuration space.

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include <tessera/block/virtio_blk.hpp>

#include "../printers.hpp"

namespace {

using tessera::Error;
using tessera::api::BlockOp;
using tessera::api::BlockRequest;
namespace virtio = tessera::drivers::virtio;
using virtio::SplitQueue;

constexpr std::uint32_t kQueueSize = 16, kDepth = 4;
constexpr std::uint64_t kSectors = 64;

struct Device {
  alignas(16) std::uint32_t regs[0x200 / 4]{};  // the virtio-mmio register window
  std::byte* ring = static_cast<std::byte*>(::operator new(SplitQueue::bytes_for(kQueueSize), std::align_val_t{16}));
  std::vector<std::byte> disk = std::vector<std::byte>(kSectors * 512);
  std::uint16_t last_avail = 0, used = 0;
  std::uint64_t fail_sector = ~0ull;  // a request starting here gets VIRTIO_BLK_S_IOERR

  Device() {
    regs[0x034 / 4] = 256;                                 // QueueNumMax
    std::memcpy(&regs[0x100 / 4], &kSectors, 8);           // config.capacity (§5.2.4)
  }
  ~Device() { ::operator delete(ring, std::align_val_t{16}); }
  std::uintptr_t base() { return reinterpret_cast<std::uintptr_t>(regs); }

  struct Chain {
    std::uint16_t head;
    std::uint32_t written;
  };
  // Takes every published chain, performs it, and returns them (not yet in the used ring).
  std::vector<Chain> perform_all() {
    auto* desc = reinterpret_cast<const virtio::detail::Descriptor*>(ring);
    auto* avail = reinterpret_cast<const std::uint16_t*>(ring + SplitQueue::avail_offset(kQueueSize));
    std::vector<Chain> done;
    while (last_avail != __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE)) {
      const std::uint16_t head = avail[2 + last_avail++ % kQueueSize];
      std::vector<const virtio::detail::Descriptor*> chain;
      for (std::uint16_t i = head;; i = desc[i].next) {
        chain.push_back(&desc[i]);
        if (!(desc[i].flags & 1)) break;
      }
      REQUIRE(chain.size() >= 2);
      REQUIRE(chain.front()->length == 16);
      REQUIRE(chain.back()->length == 1);
      CHECK((chain.back()->flags & 2) != 0);  // the status byte is device-writable
      std::uint32_t type;
      std::uint64_t sector;
      std::memcpy(&type, reinterpret_cast<const void*>(chain[0]->address), 4);
      std::memcpy(&sector, reinterpret_cast<const void*>(chain[0]->address + 8), 8);
      std::uint8_t status = 0;
      std::uint32_t written = 1;
      if (type == 4) {
        CHECK(chain.size() == 2);  // flush: header and status only
      } else {
        REQUIRE(chain.size() == 3);
        const auto* data = chain[1];
        REQUIRE(sector * 512 + data->length <= disk.size());
        auto* buffer = reinterpret_cast<std::byte*>(data->address);
        if (sector == fail_sector) status = 1;
        else if (type == 0) {
          CHECK((data->flags & 2) != 0);
          std::memcpy(buffer, disk.data() + sector * 512, data->length);
          written += data->length;
        } else {
          CHECK((data->flags & 2) == 0);
          std::memcpy(disk.data() + sector * 512, buffer, data->length);
        }
      }
      *reinterpret_cast<std::uint8_t*>(chain.back()->address) = status;
      done.push_back({head, written});
    }
    return done;
  }
  void complete(const std::vector<Chain>& chains) {
    auto* used_ring = reinterpret_cast<std::uint16_t*>(ring + SplitQueue::used_offset(kQueueSize));
    for (const Chain& c : chains) {
      auto* entry = reinterpret_cast<std::uint32_t*>(used_ring + 2) + 2 * (used % kQueueSize);
      entry[0] = c.head;
      entry[1] = c.written;
      ++used;
    }
    __atomic_store_n(&used_ring[1], used, __ATOMIC_RELEASE);
  }
};

struct Fixture {
  Device device;
  tessera::block::detail::BlkSlot slots[kDepth];
  std::uint32_t free_slots[kDepth];
  tessera::block::detail::VirtioBlkCore core;
  Fixture() {
    REQUIRE(core.start(virtio::MmioTransport(device.base(), 0), 0, device.ring, kQueueSize, slots, free_slots, kDepth).ok());
  }
};

}  // namespace

TEST_CASE("virtio-blk core: capacity, requests in flight completed out of order, data on the disk") {
  Fixture f;
  CHECK(f.core.block_count() == kSectors);
  CHECK(f.core.block_size() == 512);
  CHECK((f.device.regs[0x070 / 4] & 4) != 0);  // DRIVER_OK
  alignas(16) static std::byte buffers[kDepth + 1][1024];
  BlockRequest r[kDepth + 1];
  for (std::uint32_t i = 0; i < kDepth; ++i) {
    std::memset(buffers[i], 0x10 + i, 1024);
    r[i] = {.op = BlockOp::write, .block = 2 * i, .count = 2, .buffer = buffers[i]};
    REQUIRE(f.core.submit(r[i]).ok());
  }
  CHECK(f.core.in_flight() == kDepth);
  r[kDepth] = {.op = BlockOp::read, .block = 0, .count = 1, .buffer = buffers[kDepth]};
  CHECK(f.core.submit(r[kDepth]).error() == Error::would_block);  // the queue is full
  CHECK(f.core.poll() == 0);                                       // the device has done nothing yet
  auto chains = f.device.perform_all();
  REQUIRE(chains.size() == kDepth);
  f.device.complete({chains[3], chains[1]});  // out of order, and only some
  CHECK(f.core.poll() == 2);
  CHECK((r[3].done && r[1].done && !r[0].done && !r[2].done));
  f.device.complete({chains[2], chains[0]});
  CHECK(f.core.poll() == 2);
  for (std::uint32_t i = 0; i < kDepth; ++i) {
    CHECK(r[i].result().ok());
    CHECK(f.device.disk[i * 1024] == std::byte(0x10 + i));
    CHECK(f.device.disk[i * 1024 + 1023] == std::byte(0x10 + i));
  }
  CHECK(f.core.in_flight() == 0);

  // Read back, flush, and refused requests.
  REQUIRE(f.core.submit(r[kDepth]).ok());
  BlockRequest flush{.op = BlockOp::flush};
  REQUIRE(f.core.submit(flush).ok());
  f.device.complete(f.device.perform_all());
  CHECK(f.core.poll() == 2);
  CHECK((r[kDepth].done && flush.done && flush.result().ok()));
  CHECK(buffers[kDepth][511] == std::byte{0x10});
  BlockRequest past{.op = BlockOp::read, .block = kSectors, .count = 1, .buffer = buffers[0]};
  CHECK(f.core.submit(past).error() == Error::out_of_range);
  BlockRequest odd{.op = BlockOp::read, .block = 0, .count = 1, .buffer = buffers[0] + 2};
  CHECK(f.core.submit(odd).error() == Error::misaligned);
  CHECK(f.core.in_flight() == 0);  // refused requests took no slot
}

TEST_CASE("virtio-blk core: a request the device fails is io_error, the others succeed") {
  Fixture f;
  f.device.fail_sector = 8;
  alignas(16) static std::byte buffers[3][512];
  BlockRequest r[3];
  for (std::uint32_t i = 0; i < 3; ++i) {
    r[i] = {.op = BlockOp::read, .block = 4 * i, .count = 1, .buffer = buffers[i]};
    REQUIRE(f.core.submit(r[i]).ok());
  }
  f.device.complete(f.device.perform_all());
  CHECK(f.core.poll() == 3);
  CHECK(r[0].result().ok());
  CHECK(r[1].result().ok());
  CHECK(r[2].error == Error::io_error);  // sector 8
  CHECK(f.core.in_flight() == 0);        // its slot is free again
}
