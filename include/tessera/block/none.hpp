#pragma once
// block::None — no block device. `present` is false; every request is refused with
// Error::not_supported. Cost: nothing.

#include "tessera/api/block_device.hpp"

namespace tessera::block {

struct None {
  static constexpr const char* name = "block::None";
  static constexpr bool present = false;

  constexpr Result<void> init() { return {}; }
  constexpr std::size_t block_size() const { return 0; }
  constexpr std::uint64_t block_count() const { return 0; }
  constexpr std::size_t queue_depth() const { return 1; }
  constexpr Result<void> submit(api::BlockRequest&) { return fail(Error::not_supported); }
  constexpr std::size_t poll() { return 0; }
  constexpr Result<void> wait(api::BlockRequest&) { return fail(Error::not_supported); }
};

static_assert(api::BlockDevice<None>);

}  // namespace tessera::block
