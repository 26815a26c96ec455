#pragma once
// A half-open range of bytes [begin, end): what a platform hands to an allocator.

#include <cstddef>

namespace tessera {

struct MemoryRegion {
  std::byte* begin = nullptr;
  std::byte* end = nullptr;

  constexpr std::size_t size() const { return static_cast<std::size_t>(end - begin); }
  constexpr bool empty() const { return begin == end; }
};

}  // namespace tessera
