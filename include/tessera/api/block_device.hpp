#pragma once
// API: a block device with queued I/O: fixed-size blocks addressed by number. The caller owns
// each BlockRequest; submit() queues it (up to queue_depth() in flight), poll() marks the
// requests the device has finished `done` with their result and never blocks, wait() returns
// once one is done: by polling under sched::None, or asleep on the driver's wait queue when the
// scheduler can block. block/request.hpp has the synchronous read/write/flush on top, and the
// checks every device makes. `present` is false for block::None.
//
// Errors, whatever the device: out_of_range (past block_count()), misaligned (a buffer not
// aligned to kBlockBufferAlignment), invalid_argument (no blocks, no buffer), would_block
// (queue_depth() requests already in flight), io_error (the device failed the request; the
// request is done, nothing else changed), not_supported (no device).

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "tessera/result.hpp"

namespace tessera::api {

enum class BlockOp : std::uint8_t { read, write, flush };

// The alignment a request's buffer needs on every device (DMA without bounce buffers, and the
// same rule on a RAM disk as on virtio-blk, so code tested on one works on the other).
inline constexpr std::size_t kBlockBufferAlignment = 16;

struct BlockRequest {
  BlockOp op = BlockOp::read;
  std::uint64_t block = 0;      // first block (read, write)
  std::uint32_t count = 0;      // blocks (read, write): the buffer holds count * block_size() bytes
  std::byte* buffer = nullptr;  // read into / written from; the device only reads it for a write
  // Set by the device. Until `done`, the request and its buffer belong to the device.
  bool done = false;
  Error error{};                // Error{}: success
  Result<void> result() const { return error == Error{} ? Result<void>{} : Result<void>{fail(error)}; }
};

template <class B>
concept BlockDevice = requires(B& b, const B& cb, BlockRequest& request) {
  { B::name } -> std::convertible_to<const char*>;
  { B::present } -> std::convertible_to<bool>;
  { b.init() } -> std::same_as<Result<void>>;
  { cb.block_size() } -> std::same_as<std::size_t>;
  { cb.block_count() } -> std::same_as<std::uint64_t>;
  { cb.queue_depth() } -> std::same_as<std::size_t>;  // requests in flight at most (≥ 1)
  // Queued (done later, maybe already) or refused with the reason (then untouched, not done).
  { b.submit(request) } -> std::same_as<Result<void>>;
  { b.poll() } -> std::same_as<std::size_t>;           // requests it marked done
  { b.wait(request) } -> std::same_as<Result<void>>;   // until request is done: its result
};

}  // namespace tessera::api
