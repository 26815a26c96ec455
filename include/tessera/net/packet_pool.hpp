#pragma once
// net::detail::PacketPool — the driver-owned pool behind a NetDevice's buffers: `count`
// buffers of `stride` bytes each in one block of memory, `headroom` bytes of each kept in
// front of the frame for the driver (a virtio-net header). A free list is a stack of indices.
//
// Not a component: each net component owns one and hands its buffers out through
// alloc_buffer/free_buffer. Cost: a PacketBuffer (24 bytes) and a 4-byte index per buffer;
// alloc and free are O(1), a push or pop.

#include <cstddef>
#include <cstdint>

#include "tessera/api/net_device.hpp"

namespace tessera::net::detail {

class PacketPool {
 public:
  // `buffers` (count entries), `free_stack` (count entries) and `memory` (count * stride bytes)
  // are the caller's, kept for the pool's lifetime.
  void attach(api::PacketBuffer* buffers, std::uint32_t* free_stack, std::byte* memory, std::uint32_t count,
              std::uint32_t stride, std::uint32_t headroom) {
    buffers_ = buffers;
    free_ = free_stack;
    count_ = count;
    headroom_ = headroom;
    for (std::uint32_t i = 0; i < count; ++i) {
      buffers[i] = {.data = memory + std::size_t{i} * stride + headroom, .length = 0, .capacity = stride - headroom,
                    .index = i};
      free_[i] = count - 1 - i;  // buffer 0 handed out first
    }
    free_count_ = count;
  }

  api::PacketBuffer* take() {
    if (free_count_ == 0) return nullptr;
    api::PacketBuffer* b = &buffers_[free_[--free_count_]];
    b->length = 0;
    return b;
  }
  // A buffer of this pool back on the free list. A pointer into another pool, or one more free
  // than there are buffers, is refused (false) and not stored.
  bool give_back(api::PacketBuffer* b) {
    if (!owns(b) || free_count_ == count_) return false;
    free_[free_count_++] = b->index;
    return true;
  }
  bool owns(const api::PacketBuffer* b) const {
    return b != nullptr && b >= buffers_ && b < buffers_ + count_ && b->index == static_cast<std::uint32_t>(b - buffers_);
  }
  api::PacketBuffer* at(std::uint32_t index) { return index < count_ ? &buffers_[index] : nullptr; }
  std::uint32_t available() const { return free_count_; }
  std::uint32_t size() const { return count_; }
  std::uint32_t headroom() const { return headroom_; }
  bool attached() const { return buffers_ != nullptr; }

 private:
  api::PacketBuffer* buffers_ = nullptr;
  std::uint32_t* free_ = nullptr;
  std::uint32_t count_ = 0, free_count_ = 0, headroom_ = 0;
};

}  // namespace tessera::net::detail
