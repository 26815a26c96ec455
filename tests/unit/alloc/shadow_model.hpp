#pragma once
// A seeded random allocate/free workload checked against a shadow model, for any
// api::Allocator: every block lies inside the region, honours its alignment and overlaps no
// live block; each block is filled with a pattern that must survive until it is freed (so
// an allocator that writes its headers into live blocks is caught); when everything is freed
// the statistics are back to where they started.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "tessera/api/allocator.hpp"

namespace tessera::test {

struct Workload {
  std::uint64_t seed = 1;
  int operations = 20000;
  std::size_t min_size = 0, max_size = 4096;
  std::size_t max_align_log2 = 6;  // alignments 1 .. 2^max_align_log2
  int free_percent = 45;           // chance that a step frees a random live block
};

template <api::Allocator A>
void run_shadow_model(A& allocator, MemoryRegion region, const Workload& w) {
  INFO("seed " << w.seed);
  std::mt19937_64 random(w.seed);
  struct Live {
    std::size_t size;
    unsigned char pattern;
  };
  std::map<std::uintptr_t, Live> live;  // start address -> block
  const auto initial = allocator.stats();
  const auto lo = reinterpret_cast<std::uintptr_t>(region.begin), hi = reinterpret_cast<std::uintptr_t>(region.end);

  auto check_pattern = [](std::uintptr_t at, const Live& block) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(at);
    for (std::size_t i = 0; i < block.size; ++i)
      if (bytes[i] != block.pattern) {
        FAIL("block at " << at << " (size " << block.size << ") was overwritten at byte " << i);
        return;
      }
  };
  auto release = [&](std::map<std::uintptr_t, Live>::iterator it) {
    check_pattern(it->first, it->second);
    REQUIRE(allocator.deallocate(reinterpret_cast<void*>(it->first)).ok());
    live.erase(it);
  };

  for (int step = 0; step < w.operations; ++step) {
    if (!live.empty() && static_cast<int>(random() % 100) < w.free_percent) {
      auto it = live.begin();
      std::advance(it, static_cast<long>(random() % live.size()));
      release(it);
      continue;
    }
    const std::size_t size = w.min_size + random() % (w.max_size - w.min_size + 1);
    const std::size_t align = std::size_t{1} << (random() % (w.max_align_log2 + 1));
    auto result = allocator.allocate(size, align);
    if (!result) {
      REQUIRE(result.error() == Error::out_of_memory);
      continue;
    }
    const auto at = reinterpret_cast<std::uintptr_t>(result.value());
    const std::size_t extent = size == 0 ? 1 : size;
    REQUIRE(at % align == 0);
    REQUIRE(at >= lo);
    REQUIRE(at + extent <= hi);
    auto next = live.lower_bound(at);
    if (next != live.end()) REQUIRE(at + extent <= next->first);
    if (next != live.begin()) {
      auto previous = std::prev(next);
      REQUIRE(previous->first + (previous->second.size == 0 ? 1 : previous->second.size) <= at);
    }
    const Live block{size, static_cast<unsigned char>(random())};
    std::memset(result.value(), block.pattern, size);
    live.emplace(at, block);
  }
  while (!live.empty()) release(live.begin());
  const auto final = allocator.stats();
  CHECK(final.bytes_in_use == initial.bytes_in_use);
  CHECK(final.bytes_free == initial.bytes_free);
  CHECK(final.largest_free == initial.largest_free);
}

}  // namespace tessera::test
