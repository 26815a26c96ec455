#pragma once
// Small integer helpers usable in constant evaluation.

#include <cstddef>
#include <cstdint>

namespace tessera::lib {

constexpr bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Bytes to add to `address` to reach a multiple of `align` (a power of two).
constexpr std::size_t padding_for(std::uintptr_t address, std::size_t align) {
  return static_cast<std::size_t>(-address) & (align - 1);
}

// The address of `p` for alignment arithmetic. In constant evaluation an address does not
// exist, so blocks are aligned relative to the start of their arena instead (`base`).
constexpr std::uintptr_t address_of(const std::byte* base, std::size_t offset) {
  if (__builtin_is_constant_evaluated()) return offset;
  return reinterpret_cast<std::uintptr_t>(base) + offset;
}

}  // namespace tessera::lib
