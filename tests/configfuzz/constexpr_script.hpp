#pragma once
// A seeded allocate/free/reallocate script for any api::Allocator, run in constant evaluation
// (the generated configfuzz cases call it inside static_assert): out-of-bounds accesses,
// undefined behaviour and misused lifetimes inside the allocator are compile errors there.
// Checked on the way: every block is inside the arena and aligned as asked; each live block
// keeps the byte pattern written into it (so overlapping blocks or headers written into
// payloads are caught); a double free is refused; when everything is freed the statistics are
// back to where they started.
//
// Pointers cannot be converted back from void* in constant evaluation, so a block is located
// by comparing its address with the arena's bytes (O(arena) per block: arenas are small).

#include <cstddef>
#include <cstdint>

#include "tessera/api/allocator.hpp"

namespace tessera::configfuzz {

struct Step {
  std::uint64_t state;
  constexpr std::uint64_t next() {  // SplitMix64
    state += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

struct Block {
  void* p = nullptr;
  std::size_t offset = 0, size = 0;
  unsigned char fill = 0;
};

template <std::size_t Arena>
constexpr bool locate(std::byte (&arena)[Arena], const void* p, std::size_t& offset) {
  for (std::size_t i = 0; i < Arena; ++i)
    if (static_cast<const void*>(arena + i) == p) {
      offset = i;
      return true;
    }
  return false;
}

// `Fail` names the first check that failed (0: none), so a failing static_assert can be
// turned into a readable message by the generated case.
enum class Fail : int {
  none, add_region, outside, misaligned, pattern, deallocate, double_free_accepted, realloc_lost_bytes,
  statistics_drift, statistics_not_restored
};

// `lifo`: free only the most recent block, and do not expect every byte back (alloc::Region
// reclaims only its most recent block; older ones stay used until the region is). An allocator
// with a hand-over (alloc::Staged) gets one boot-time block first, then the hand-over.
template <class A, std::size_t Arena>
constexpr Fail script(std::uint64_t seed, int steps, std::size_t max_size, bool check_double_free, bool lifo) {
  alignas(4096) std::byte arena[Arena]{};
  A allocator{};
  if (!allocator.add_region({arena, arena + Arena}).ok()) return Fail::add_region;
  void* boot_block = nullptr;
  bool handed_over = false;
  if constexpr (requires { allocator.handover(); }) {
    handed_over = true;
    auto early = allocator.allocate(128, 16);  // the boot allocator's top stays 16-aligned
    if (!early.ok() || !allocator.handover().ok()) return Fail::add_region;
    boot_block = early.value();
  }
  const auto initial = allocator.stats();
  Step random{seed};
  constexpr int kLive = 24;
  Block live[kLive]{};
  int count = 0;

  auto write = [&](Block& b) {
    for (std::size_t i = 0; i < b.size; ++i) arena[b.offset + i] = std::byte{b.fill};
  };
  auto intact = [&](const Block& b) {
    for (std::size_t i = 0; i < b.size; ++i)
      if (arena[b.offset + i] != std::byte{b.fill}) return false;
    return true;
  };

  for (int step = 0; step < steps; ++step) {
    const unsigned op = static_cast<unsigned>(random.next() % 100);
    if (op < 50 && count < kLive) {
      const std::size_t size = random.next() % (max_size + 1);
      const std::size_t align = std::size_t{1} << (random.next() % 7);  // 1 .. 64
      auto r = allocator.allocate(size, align);
      if (!r.ok()) continue;  // out of memory is an answer, not a failure
      Block b{r.value(), 0, size, static_cast<unsigned char>(random.next() | 1)};
      if (!locate(arena, b.p, b.offset) || b.offset + size > Arena) return Fail::outside;
      // The arena is 4096-aligned. In constant evaluation an allocator anchors alignment at the
      // start of its first region; after a hand-over that is the boot allocator's old top (16-aligned).
      if (b.offset % (handed_over && align > 16 ? 16 : align) != 0) return Fail::misaligned;
      write(b);
      live[count++] = b;
    } else if (op < 85 && count > 0) {
      const int i = lifo ? count - 1 : static_cast<int>(random.next() % static_cast<unsigned>(count));
      if (!intact(live[i])) return Fail::pattern;
      void* p = live[i].p;
      if (!allocator.deallocate(p).ok()) return Fail::deallocate;
      live[i] = live[--count];  // (with lifo, i is the last one)
      if (check_double_free && allocator.deallocate(p).ok()) return Fail::double_free_accepted;
    } else if (count > 0) {
      // (alloc::Staged::reallocate copies through void*: not usable in constant evaluation)
    if constexpr (requires(A& a, void* p) { a.reallocate(p, std::size_t{}); } && !requires(A& a) { a.handover(); }) {
        Block& b = live[random.next() % static_cast<unsigned>(count)];
        if (!intact(b)) return Fail::pattern;
        const std::size_t size = random.next() % (max_size + 1);
        auto r = allocator.reallocate(b.p, size);
        if (!r.ok()) {
          if (!intact(b)) return Fail::pattern;
          continue;
        }
        Block moved{r.value(), 0, size, b.fill};
        if (!locate(arena, moved.p, moved.offset) || moved.offset + size > Arena) return Fail::outside;
        const std::size_t kept = size < b.size ? size : b.size;
        moved.size = kept;
        if (!intact(moved)) return Fail::realloc_lost_bytes;
        moved.size = size;
        moved.fill = static_cast<unsigned char>(random.next() | 1);
        write(moved);
        b = moved;
      }
    }
    const auto s = allocator.stats();
    if (s.peak_in_use < s.bytes_in_use) return Fail::statistics_drift;
  }
  while (count > 0) {
    if (!intact(live[count - 1])) return Fail::pattern;
    if (!allocator.deallocate(live[--count].p).ok()) return Fail::deallocate;
  }
  const auto final = allocator.stats();
  if (!lifo && (final.bytes_in_use != initial.bytes_in_use || final.bytes_free != initial.bytes_free))
    return Fail::statistics_not_restored;
  if (boot_block != nullptr && !allocator.deallocate(boot_block).ok()) return Fail::deallocate;
  return Fail::none;
}

// A failing case names its failure in the compiler's "required from here" note:
// `tessera::configfuzz::Passed<tessera::configfuzz::Fail::pattern>`.
template <Fail F, int Case>
struct Passed {
  static_assert(F == Fail::none, "configfuzz: a generated case failed; the Fail value is in the template argument");
};

}  // namespace tessera::configfuzz
