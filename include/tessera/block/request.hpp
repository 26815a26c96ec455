#pragma once
// block/request.hpp — what every BlockDevice shares: the checks a request passes before it is
// queued, marking it done, and the synchronous read/write/flush on top of submit() and wait().
// Not a component. The checks are plain functions (one copy in an image, whatever the device);
// the helpers are small templates over the device.
// Cost: a few compares per request; the helpers add nothing to the device's own work.

#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/api/block_device.hpp"
#include "tessera/lib/say.hpp"

namespace tessera::block {

// The reasons a device refuses a request (api/block_device.hpp lists them), for a device of
// `blocks` blocks of `block_size` bytes.
inline Result<void> check(const api::BlockRequest& r, std::size_t block_size, std::uint64_t blocks) {
  if (r.op == api::BlockOp::flush) return {};
  if (r.count == 0 || r.buffer == nullptr) return fail(Error::invalid_argument);
  if (reinterpret_cast<std::uintptr_t>(r.buffer) % api::kBlockBufferAlignment != 0) return fail(Error::misaligned);
  if (r.block >= blocks || r.count > blocks - r.block) return fail(Error::out_of_range);
  (void)block_size;
  return {};
}

// The device's last word on a request: its result, then `done` (release: a caller that sees
// done also sees the buffer's contents and the error).
inline void complete(api::BlockRequest& r, Error error) {
  r.error = error;
  __atomic_store_n(&r.done, true, __ATOMIC_RELEASE);
}
inline bool is_done(const api::BlockRequest& r) { return __atomic_load_n(&r.done, __ATOMIC_ACQUIRE); }

// Submits `r` (waiting for room in the queue if it is full) and waits for it.
template <api::BlockDevice B>
Result<void> run(B& device, api::BlockRequest& r) {
  r.done = false;
  r.error = Error{};
  for (;;) {
    auto submitted = device.submit(r);
    if (submitted) break;
    if (submitted.error() != Error::would_block) return submitted;
    device.poll();  // the queue is full: make room
  }
  return device.wait(r);
}

// Whole blocks from `block` into `out` (its size a multiple of block_size(), else
// invalid_argument; aligned to api::kBlockBufferAlignment, else misaligned).
template <api::BlockDevice B>
Result<void> read(B& device, std::uint64_t block, std::span<std::byte> out) {
  const std::size_t size = device.block_size();
  if (size == 0) return fail(Error::not_supported);
  if (out.size() % size != 0) return fail(Error::invalid_argument);
  api::BlockRequest r{.op = api::BlockOp::read, .block = block,
                      .count = static_cast<std::uint32_t>(out.size() / size), .buffer = out.data()};
  return run(device, r);
}

template <api::BlockDevice B>
Result<void> write(B& device, std::uint64_t block, std::span<const std::byte> in) {
  const std::size_t size = device.block_size();
  if (size == 0) return fail(Error::not_supported);
  if (in.size() % size != 0) return fail(Error::invalid_argument);
  api::BlockRequest r{.op = api::BlockOp::write, .block = block,
                      .count = static_cast<std::uint32_t>(in.size() / size),
                      .buffer = const_cast<std::byte*>(in.data())};  // the device only reads it
  return run(device, r);
}

// Everything written before it is on stable storage once this returns success.
template <api::BlockDevice B>
Result<void> flush(B& device) {
  api::BlockRequest r{.op = api::BlockOp::flush};
  return run(device, r);
}

}  // namespace tessera::block
