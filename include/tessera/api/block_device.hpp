#pragma once
// API: a block device: fixed-size blocks addressed by number. `present` is false for
// block::None.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/result.hpp"

namespace tessera::api {

template <class B>
concept BlockDevice = requires(B& b, const B& cb, std::uint64_t block, std::span<std::byte> out,
                               std::span<const std::byte> in) {
  { B::name } -> std::convertible_to<const char*>;
  { B::present } -> std::convertible_to<bool>;
  { b.init() } -> std::same_as<Result<void>>;
  { cb.block_size() } -> std::same_as<std::size_t>;
  { cb.block_count() } -> std::same_as<std::uint64_t>;
  // `out`/`in` span whole blocks starting at `block`.
  { b.read(block, out) } -> std::same_as<Result<void>>;
  { b.write(block, in) } -> std::same_as<Result<void>>;
  { b.flush() } -> std::same_as<Result<void>>;
};

}  // namespace tessera::api
