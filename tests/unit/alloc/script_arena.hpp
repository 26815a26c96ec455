#pragma once
// The scaffolding of the seeded allocator scripts that run inside static_assert (each
// allocator's unit test, and tests/configfuzz): a local arena, the live blocks with the byte
// each was filled with, a seeded sequence, and the checks every script makes on a block.
// In constant evaluation there are no addresses and C++20 cannot cast void* back to
// std::byte*, so a block is found by comparing its pointer with the arena's bytes.

#include <cstddef>
#include <cstdint>

#include "tessera/result.hpp"

namespace tessera::test {

struct ScriptBlock {
  void* p = nullptr;
  std::size_t offset = 0;  // from the arena's start
  std::size_t extent = 0;  // bytes it occupies (no other live block may overlap them)
  std::size_t size = 0;    // bytes filled with `fill`
  unsigned char fill = 0;
};

// What one allocator's script asks for. op = next() % 100 picks the operation: allocate below
// allocate_below, free below free_below, reallocate below 92 (if there are live blocks).
struct ScriptShape {
  std::uint64_t allocate_below, free_below;
  std::uint64_t big_one_in;            // one request in big_one_in is up to big_max bytes, the rest
  std::size_t big_max, small_max;      //   up to small_max
  std::uint64_t align_bits;            // alignments 1 .. 2^(align_bits - 1)
  std::size_t realloc_max;             // reallocate to up to realloc_max bytes, at realloc_align
  std::size_t realloc_align;
};

// Where a block of `size` bytes asked at `align` must start (a multiple of `align`) and how many
// bytes it occupies.
struct ScriptFootprint {
  std::size_t align, extent;
};

enum class ScriptStep { failed, done, other };  // other: op >= 92, or nothing to free or move

// What a zero-size block still occupies: one distinct byte.
constexpr std::size_t script_extent(std::size_t size) { return size == 0 ? 1 : size; }

// For allocators that place a block as asked: at the alignment asked, occupying its size.
constexpr ScriptFootprint as_asked(std::size_t size, std::size_t align) { return {align, script_extent(size)}; }
// For allocators that may answer out_of_memory to any request (alignment, fragmentation).
constexpr bool any_out_of_memory(std::size_t, std::size_t) { return true; }

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
  static constexpr std::size_t extent_of(std::size_t size) { return script_extent(size); }

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

  // One step: allocate, free or reallocate as `shape` says, checking each live block and each
  // new one. footprint(size, align) gives a block's ScriptFootprint; out_of_memory_ok(size,
  // align) says whether out_of_memory is a right answer to that request. With
  // check_double_free, every block freed is freed again and must be refused.
  template <class A, class Footprint, class OutOfMemoryOk>
  constexpr ScriptStep step(A& allocator, const ScriptShape& shape, bool check_double_free, Footprint footprint,
                            OutOfMemoryOk out_of_memory_ok) {
    const std::uint64_t op = next() % 100;
    if (op < shape.allocate_below && count < kMaxLive) {
      const std::size_t size = next() % shape.big_one_in == 0 ? next() % shape.big_max : next() % shape.small_max;
      const std::size_t align = std::size_t{1} << (next() % shape.align_bits);
      auto r = allocator.allocate(size, align);
      if (!r.ok()) {
        const bool answered = r.error() == tessera::Error::out_of_memory && out_of_memory_ok(size, align);
        return answered ? ScriptStep::done : ScriptStep::failed;
      }
      live[count].fill = static_cast<unsigned char>(next() | 1);
      const ScriptFootprint f = footprint(size, align);
      if (!place(live[count], r.value(), offset_of(r.value()), size, f.align, f.extent)) return ScriptStep::failed;
      ++count;
    } else if (op < shape.free_below && count > 0) {
      const std::size_t i = next() % count;
      if (!intact(live[i])) return ScriptStep::failed;
      void* p = live[i].p;
      if (!allocator.deallocate(p).ok()) return ScriptStep::failed;
      live[i] = live[--count];
      if (check_double_free && allocator.deallocate(p).error() != tessera::Error::double_free) return ScriptStep::failed;
    } else if (op < 92 && count > 0) {
      ScriptBlock& b = live[next() % count];
      if (!intact(b)) return ScriptStep::failed;
      const std::size_t size = next() % shape.realloc_max;
      auto r = allocator.reallocate(b.p, size);
      if (!r.ok()) return r.error() == tessera::Error::out_of_memory && intact(b) ? ScriptStep::done : ScriptStep::failed;
      const std::size_t offset = offset_of(r.value());
      if (!kept(b, offset, size)) return ScriptStep::failed;
      const ScriptFootprint f = footprint(size, shape.realloc_align);
      if (!place(b, r.value(), offset, size, f.align, f.extent)) return ScriptStep::failed;
    } else {
      return ScriptStep::other;
    }
    return ScriptStep::done;
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
