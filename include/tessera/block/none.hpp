#pragma once
// block::None — no block device. `present` is false; reads and writes report
// Error::not_supported. Cost: nothing.

#include "tessera/api/block_device.hpp"

namespace tessera::block {

struct None {
  static constexpr const char* name = "block::None";
  static constexpr bool present = false;

  constexpr Result<void> init() { return {}; }
  constexpr std::size_t block_size() const { return 0; }
  constexpr std::uint64_t block_count() const { return 0; }
  constexpr Result<void> read(std::uint64_t, std::span<std::byte>) { return fail(Error::not_supported); }
  constexpr Result<void> write(std::uint64_t, std::span<const std::byte>) { return fail(Error::not_supported); }
  constexpr Result<void> flush() { return {}; }
};

static_assert(api::BlockDevice<None>);

}  // namespace tessera::block
