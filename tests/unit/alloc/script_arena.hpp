#pragma once
// The scaffolding of the seeded allocator scripts that run inside static_assert (each
// allocator's unit test, and tests/configfuzz): a local arena, the live blocks with the byte
// each was filled with, a seeded sequence, and the checks every script makes on a block.
// In constant evaluation there are no addresses and C++20 cannot cast void* back to
// std::byte*, so a block is found by comparing its pointer with the arena's bytes.

#include <cstddef>
#include <cstdint>

namespace tessera::test {

struct ScriptBlock {
  void* p = nullptr;
  std::size_t offset = 0;  // from the arena's start
  std::size_t extent = 0;  // bytes it occupies (no other live block may overlap them)
  std::size_t size = 0;    // bytes filled with `fill`
  unsigned char fill = 0;
};

// Bytes: the arena's size. Step: the finest alignment of the blocks (where to look for them).
template <std::size_t Bytes, std::size_t Step>
struct ScriptArena {
  static constexpr std::size_t kBytes = Bytes;
  static constexpr std::size_t kMaxLive = 24;

  alignas(4096) std::byte bytes[Bytes]{};  // 4096-aligned: alignment means the same at run time
  ScriptBlock live[kMaxLive]{};
  std::size_t count = 0;
  std::uint64_t state;

  constexpr explicit ScriptArena(std::uint64_t seed) : state(seed) {}

  // The script's sequence (a 64-bit LCG; the high bits).
  constexpr std::uint64_t next() {
    state = state * 6364136223846793005u + 1442695040888963407u;
    return state >> 33;
  }

  // The offset of `p` in the arena, or Bytes if it is not there (or not Step-aligned).
  constexpr std::size_t offset_of(const void* p) const {
    for (std::size_t i = 0; i < Bytes; i += Step)
      if (static_cast<const void*>(bytes + i) == p) return i;
    return Bytes;
  }

  // What a block of `size` bytes occupies at least: a zero-size block is still a distinct byte.
  static constexpr std::size_t extent_of(std::size_t size) { return size == 0 ? 1 : size; }

  constexpr void fill(const ScriptBlock& b) {
    for (std::size_t i = 0; i < b.size; ++i) bytes[b.offset + i] = std::byte{b.fill};
  }
  constexpr bool intact(const ScriptBlock& b) const {
    for (std::size_t i = 0; i < b.size; ++i)
      if (bytes[b.offset + i] != std::byte{b.fill}) return false;
    return true;
  }

  // Records `b` (its fill already chosen) at `p`, found at `offset` (offset_of(p): a script
  // looks each block up once): `size` usable bytes, occupying `extent` bytes aligned to
  // `align`, inside the arena and overlapping no other live block; fills it.
  constexpr bool place(ScriptBlock& b, void* p, std::size_t offset, std::size_t size, std::size_t align,
                       std::size_t extent) {
    if (offset >= Bytes || offset % align != 0 || offset + extent > Bytes) return false;
    for (std::size_t i = 0; i < count; ++i) {
      const ScriptBlock& o = live[i];
      if (&o != &b && offset < o.offset + o.extent && o.offset < offset + extent) return false;
    }
    b = {p, offset, extent, size, b.fill};
    fill(b);
    return true;
  }

  // After reallocate(b.p, size) returned a block at `offset`: its first min(size, b.size)
  // bytes are b's.
  constexpr bool kept(const ScriptBlock& b, std::size_t offset, std::size_t size) const {
    const std::size_t n = size < b.size ? size : b.size;
    if (offset >= Bytes || offset + n > Bytes) return false;
    for (std::size_t i = 0; i < n; ++i)
      if (bytes[offset + i] != std::byte{b.fill}) return false;
    return true;
  }

  // Frees every live block, last first, each checked intact before.
  template <class A>
  constexpr bool free_all(A& allocator) {
    while (count > 0) {
      if (!intact(live[count - 1]) || !allocator.deallocate(live[count - 1].p).ok()) return false;
      --count;
    }
    return true;
  }
};

}  // namespace tessera::test
