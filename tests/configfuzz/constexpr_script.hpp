#pragma once
// A seeded allocate/free/reallocate script for any api::Allocator, run in constant evaluation
// (the generated configfuzz cases call it inside static_assert): out-of-bounds accesses,
// undefined behaviour and misused lifetimes inside the allocator are compile errors there.
// Checked on the way: every block is inside the arena and aligned as asked; each live block
// keeps the byte pattern written into it (so overlapping blocks or headers written into
// payloads are caught); a double free is refused; when everything is freed the statistics are
// back to where they started.
//
// The arena, the live blocks and the checks on each are tests/unit/alloc/script_arena.hpp's,
// shared with the allocators' own scripts.

#include <cstddef>
#include <cstdint>

#include "alloc/script_arena.hpp"  // tests/unit/alloc: the scaffolding the allocators' own scripts use
#include "tessera/api/allocator.hpp"

namespace tessera::configfuzz {

using test::ScriptBlock;

// `Fail` names the first check that failed (0: none), so a failing static_assert can be
// turned into a readable message by the generated case.
enum class Fail : int {
  none, add_region, outside,
  misplaced,   // not aligned as asked, or overlapping a live block
  pattern,     // a live block's bytes changed
  deallocate,  // a free of a live block was refused (or, at the end, a block was not intact)
  double_free_accepted, realloc_lost_bytes, statistics_drift, statistics_not_restored
};

// `lifo`: free only the most recent block, and do not expect every byte back (alloc::Region
// reclaims only its most recent block; older ones stay used until the region is). An allocator
// with a hand-over (alloc::Staged) gets one boot-time block first, then the hand-over.
template <class A, std::size_t Arena>
constexpr Fail script(std::uint64_t seed, int steps, std::size_t max_size, bool check_double_free, bool lifo) {
  test::ScriptArena<Arena, 1> script(seed);
  std::byte* arena = script.bytes;
  ScriptBlock* live = script.live;
  std::size_t& count = script.count;
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

  for (int step = 0; step < steps; ++step) {
    const std::uint64_t op = script.next() % 100;
    if (op < 50 && count < script.kMaxLive) {
      const std::size_t size = script.next() % (max_size + 1);
      const std::size_t align = std::size_t{1} << (script.next() % 7);  // 1 .. 64
      auto r = allocator.allocate(size, align);
      if (!r.ok()) continue;  // out of memory is an answer, not a failure
      ScriptBlock& b = live[count];
      b.fill = static_cast<unsigned char>(script.next() | 1);
      const std::size_t offset = script.offset_of(r.value());
      if (offset == Arena || offset + size > Arena) return Fail::outside;
      // The arena is 4096-aligned. In constant evaluation an allocator anchors alignment at the
      // start of its first region; after a hand-over that is the boot allocator's old top (16-aligned).
      const std::size_t anchor = handed_over && align > 16 ? 16 : align;
      if (!script.place(b, r.value(), offset, size, anchor, script.extent_of(size))) return Fail::misplaced;
      ++count;
    } else if (op < 85 && count > 0) {
      const std::size_t i = lifo ? count - 1 : script.next() % count;
      if (!script.intact(live[i])) return Fail::pattern;
      void* p = live[i].p;
      if (!allocator.deallocate(p).ok()) return Fail::deallocate;
      live[i] = live[--count];  // (with lifo, i is the last one)
      if (check_double_free && allocator.deallocate(p).ok()) return Fail::double_free_accepted;
    } else if (count > 0) {
      // (alloc::Staged::reallocate copies through void*: not usable in constant evaluation)
      if constexpr (requires(A& a, void* p) { a.reallocate(p, std::size_t{}); } && !requires(A& a) { a.handover(); }) {
        ScriptBlock& b = live[script.next() % count];
        if (!script.intact(b)) return Fail::pattern;
        const std::size_t size = script.next() % (max_size + 1);
        auto r = allocator.reallocate(b.p, size);
        if (!r.ok()) {
          if (!script.intact(b)) return Fail::pattern;
          continue;
        }
        const std::size_t offset = script.offset_of(r.value());
        if (offset == Arena || offset + size > Arena) return Fail::outside;
        if (!script.kept(b, offset, size)) return Fail::realloc_lost_bytes;
        b.fill = static_cast<unsigned char>(script.next() | 1);
        if (!script.place(b, r.value(), offset, size, 16, script.extent_of(size))) return Fail::misplaced;
      }
    }
    const auto s = allocator.stats();
    if (s.peak_in_use < s.bytes_in_use) return Fail::statistics_drift;
  }
  if (!script.free_all(allocator)) return Fail::deallocate;
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
