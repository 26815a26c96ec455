#pragma once
// drivers::virtio::SplitQueue — a split virtqueue (virtio 1.2 §2.7): the descriptor table,
// the driver (available) ring and the device (used) ring in memory shared with the device.
//
// Device-independent: virtio-net posts one descriptor per frame, virtio-blk will post
// header/data/status chains; each chain carries a 32-bit token (the caller's: a buffer index,
// a request slot) that comes back with its used entry. Not a template: one copy of the code
// for every device and queue size. The caller provides the memory (bytes_for(size), aligned
// to 16) and tells the device where it is (MmioTransport::setup_queue).
// Cost: 16 + 2 + 8 bytes of ring and 4 bytes of token per entry; add and pop are O(chain).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/result.hpp"

namespace tessera::drivers::virtio {

static_assert(std::endian::native == std::endian::little,
              "virtio rings are little-endian (virtio 1.2 §2.7); this code stores them natively");

// One buffer of a chain: guest-physical address (== virtual on tessera's identity-mapped
// platforms and on hosted), length, and whether the device writes it (receive) or reads it.
struct Segment {
  std::uint64_t address = 0;
  std::uint32_t length = 0;
  bool device_writes = false;
};

struct UsedChain {
  std::uint32_t token = 0;   // what add() was given
  std::uint32_t written = 0; // bytes the device wrote into the chain's device-writable buffers
};

namespace detail {

// virtio 1.2 §2.7.5: struct virtq_desc.
struct Descriptor {
  std::uint64_t address;
  std::uint32_t length;
  std::uint16_t flags;
  std::uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);
inline constexpr std::uint16_t kDescNext = 1;   // §2.7.5 VIRTQ_DESC_F_NEXT
inline constexpr std::uint16_t kDescWrite = 2;  // §2.7.5 VIRTQ_DESC_F_WRITE (device writes it)
// §2.7.6: virtq_avail.flags VIRTQ_AVAIL_F_NO_INTERRUPT: the driver polls, no interrupt wanted.
inline constexpr std::uint16_t kAvailNoInterrupt = 1;

// Accesses to the index words the device also touches: acquire/release atomics, so the
// descriptors are in memory before the device can see the new index, and a used entry is
// read only after its index (§2.7.13.3.1 "memory barrier", §2.7.14).
inline std::uint16_t load_acquire(const std::uint16_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
inline void store_release(std::uint16_t* p, std::uint16_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

}  // namespace detail

class SplitQueue {
 public:
  // virtio 1.2 §2.7: Queue Size is a power of two, at most 32768.
  static constexpr bool valid_size(std::uint32_t size) { return size >= 1 && size <= 32768 && std::has_single_bit(size); }

  // Byte offsets of the three parts in one block: descriptor table (16-byte aligned), driver
  // ring (2), device ring (4) — §2.7 table "Virtqueue Part Alignment" — then the tokens.
  static constexpr std::size_t avail_offset(std::uint32_t size) { return 16u * size; }
  static constexpr std::size_t used_offset(std::uint32_t size) {
    return (avail_offset(size) + 6 + 2u * size + 3) & ~std::size_t{3};  // flags, idx, ring[size], used_event
  }
  static constexpr std::size_t tokens_offset(std::uint32_t size) {
    return (used_offset(size) + 6 + 8u * size + 3) & ~std::size_t{3};  // flags, idx, ring[size] {id, len}, avail_event
  }
  static constexpr std::size_t bytes_for(std::uint32_t size) { return tokens_offset(size) + 4u * size; }

  // `memory`: bytes_for(size) bytes, 16-byte aligned, owned by the caller. Zeroes it.
  Result<void> attach(std::byte* memory, std::uint32_t size) {
    if (!valid_size(size) || memory == nullptr || reinterpret_cast<std::uintptr_t>(memory) % 16 != 0)
      return fail(Error::invalid_argument);
    for (std::size_t i = 0; i < bytes_for(size); ++i) memory[i] = std::byte{0};
    size_ = static_cast<std::uint16_t>(size - 1);  // mask; size 32768 fits
    desc_ = reinterpret_cast<detail::Descriptor*>(memory);
    avail_ = reinterpret_cast<std::uint16_t*>(memory + avail_offset(size));
    used_ = reinterpret_cast<std::uint16_t*>(memory + used_offset(size));
    tokens_ = reinterpret_cast<std::uint32_t*>(memory + tokens_offset(size));
    for (std::uint32_t i = 0; i + 1 < size; ++i) desc_[i].next = static_cast<std::uint16_t>(i + 1);
    free_head_ = 0;
    free_count_ = size;
    next_avail_ = 0;
    last_used_ = 0;
    return {};
  }

  std::uint32_t size() const { return std::uint32_t{size_} + 1; }
  std::uint32_t free_descriptors() const { return free_count_; }
  std::uint32_t in_flight() const { return size() - free_count_; }

  // Addresses for the transport (§4.2.2 QueueDesc, QueueDriver, QueueDevice).
  std::uint64_t descriptor_address() const { return reinterpret_cast<std::uintptr_t>(desc_); }
  std::uint64_t driver_address() const { return reinterpret_cast<std::uintptr_t>(avail_); }
  std::uint64_t device_address() const { return reinterpret_cast<std::uintptr_t>(used_); }

  // Polled (no interrupt after each used buffer) or interrupt-driven (§2.7.7); a hint only.
  void set_interrupts(bool wanted) { detail::store_release(&avail_[0], wanted ? 0 : detail::kAvailNoInterrupt); }

  // Puts a chain on the driver ring; the device sees it after publish(). would_block when
  // fewer than segments.size() descriptors are free (the queue is full); invalid_argument
  // for an empty chain.
  Result<void> add(std::span<const Segment> segments, std::uint32_t token) {
    if (segments.empty()) return fail(Error::invalid_argument);
    if (segments.size() > free_count_) return fail(Error::would_block);
    const std::uint16_t head = free_head_;
    std::uint16_t index = head;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      detail::Descriptor& d = desc_[index];
      const std::uint16_t following = d.next;  // the free list's next, before it is overwritten
      d.address = segments[i].address;
      d.length = segments[i].length;
      d.flags = static_cast<std::uint16_t>((segments[i].device_writes ? detail::kDescWrite : 0) |
                                           (i + 1 < segments.size() ? detail::kDescNext : 0));
      if (i + 1 < segments.size()) d.next = following;
      index = following;
    }
    free_head_ = index;
    free_count_ -= static_cast<std::uint32_t>(segments.size());
    tokens_[head] = token;
    avail_[2 + (next_avail_ & size_)] = head;  // ring[idx % size] (§2.7.13.2)
    ++next_avail_;                             // wraps at 65536 like the device's copy (§2.7.6)
    return {};
  }

  // Makes every add() since the last publish visible to the device (§2.7.13.3: the index is
  // written after the ring entries). The caller then notifies the device.
  void publish() { detail::store_release(&avail_[1], next_avail_); }

  // The next chain the device has finished with, its descriptors back on the free list;
  // would_block when there is none.
  Result<UsedChain> pop_used() {
    const std::uint16_t device_index = detail::load_acquire(&used_[1]);
    if (device_index == last_used_) return fail(Error::would_block);
    // §2.7.8 struct virtq_used_elem {le32 id; le32 len;} at ring[last_used % size].
    const auto* entry = reinterpret_cast<const std::uint32_t*>(used_ + 2) + 2u * (last_used_ & size_);
    const std::uint32_t head = entry[0], written = entry[1];
    ++last_used_;
    if (head > size_) return fail(Error::corrupt);  // a device bug; not followed
    std::uint16_t index = static_cast<std::uint16_t>(head);
    std::uint32_t freed = 1;
    while ((desc_[index].flags & detail::kDescNext) != 0 && freed <= size_) {
      index = desc_[index].next;
      ++freed;
    }
    desc_[index].next = free_head_;  // the chain, whole, onto the front of the free list
    free_head_ = static_cast<std::uint16_t>(head);
    free_count_ += freed;
    return UsedChain{.token = tokens_[head], .written = written};
  }

  // What a device (or a test's simulated one) reads: for hosted unit tests.
  const detail::Descriptor* descriptors() const { return desc_; }
  std::uint16_t* driver_ring() const { return avail_; }
  std::uint16_t* device_ring() const { return used_; }

 private:
  detail::Descriptor* desc_ = nullptr;
  std::uint16_t* avail_ = nullptr;  // flags, idx, ring[size], used_event
  std::uint16_t* used_ = nullptr;   // flags, idx, then {le32 id, le32 len}[size], avail_event
  std::uint32_t* tokens_ = nullptr; // by head descriptor
  std::uint16_t size_ = 0;          // size - 1
  std::uint16_t free_head_ = 0;
  std::uint32_t free_count_ = 0;
  std::uint16_t next_avail_ = 0;    // our copy of avail.idx
  std::uint16_t last_used_ = 0;     // used.idx up to which we have consumed
};

}  // namespace tessera::drivers::virtio
