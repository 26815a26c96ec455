// alloc::Region (include/tessera/alloc/region.hpp): alignment, exhaustion, frees, bad
// arguments, statistics, a seeded random script checked against a shadow model, and the same
// allocator running inside static_assert.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include <tessera/alloc/region.hpp>

#include "alloc/arena.hpp"
#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::MemoryRegion;
using tessera::alloc::Region;
using tessera::api::AllocatorStats;
using tessera::test::address;

constexpr std::size_t kSizeMax = static_cast<std::size_t>(-1);


// Heap memory of exactly `size` bytes, `skew` bytes past a 16-byte aligned start.
struct Arena : tessera::test::HeapArena {
  explicit Arena(std::size_t size, std::size_t skew = 0) : HeapArena(size, alignof(std::max_align_t), skew) {}
};

// The padding Region must insert before a block at `p` to reach `align`.
std::size_t padding(const void* p, std::size_t align) { return (align - address(p) % align) % align; }

}  // namespace

TEST_CASE("alignment is honoured for every power of two from 1 to 4096") {
  for (std::size_t skew : {0, 1, 3, 8}) {
    Arena arena(1 << 20, skew);
    Region<> region;
    REQUIRE(region.add_region(arena.region()).ok());
    for (std::size_t align = 1; align <= 4096; align *= 2) {
      for (std::size_t size : {0, 1, 7, 64, 4096}) {
        CAPTURE(skew);
        CAPTURE(align);
        CAPTURE(size);
        auto block = region.allocate(size, align);
        REQUIRE(block.ok());
        CHECK(address(block.value()) % align == 0);
        CHECK(arena.contains(block.value(), size == 0 ? 1 : size));
        std::memset(block.value(), 0xab, size);
        REQUIRE(region.allocate(1, 1).ok());  // leave the next block misaligned
      }
    }
  }
}

TEST_CASE("exhaustion returns out_of_memory and the allocator keeps working") {
  Arena arena(4096);
  Region<> region;
  REQUIRE(region.add_region(arena.region()).ok());

  int blocks = 0;
  tessera::Result<void*> last = tessera::fail(Error::invalid_argument);
  for (;;) {
    auto block = region.allocate(100, 8);
    if (!block) {
      CHECK(block.error() == Error::out_of_memory);
      break;
    }
    std::memset(block.value(), 0x5a, 100);
    last = block;
    ++blocks;
    REQUIRE(blocks <= 4096 / 100);
  }
  CHECK(blocks >= 4096 / 104 - 1);
  const auto full = region.stats();
  CHECK(full.bytes_free < 100 + 7);

  // A failed request changes nothing; what is left can still be handed out exactly.
  CHECK(region.allocate(100, 8).error() == Error::out_of_memory);
  CHECK(region.stats() == full);
  const std::size_t rest = full.bytes_free;
  auto tail = region.allocate(rest, 1);
  REQUIRE(tail.ok());
  std::memset(tail.value(), 0x11, rest);
  CHECK(region.stats().bytes_free == 0);
  CHECK(region.allocate(0, 1).error() == Error::out_of_memory);
  CHECK(region.allocate(1, 1).error() == Error::out_of_memory);

  // Freeing the most recent block makes room again.
  REQUIRE(region.deallocate(tail.value()).ok());
  CHECK(region.stats().bytes_free == rest);
  auto again = region.allocate(rest, 1);
  REQUIRE(again.ok());
  CHECK(again.value() == tail.value());
}

TEST_CASE("zero-size requests return distinct, freeable pointers") {
  Arena arena(256);
  Region<> region;
  REQUIRE(region.add_region(arena.region()).ok());
  auto a = region.allocate(0, 1);
  auto b = region.allocate(0, 1);
  auto c = region.allocate(0, 16);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a.value() != nullptr);
  CHECK(a.value() != b.value());
  CHECK(b.value() != c.value());
  CHECK(a.value() != c.value());
  CHECK(address(c.value()) % 16 == 0);
  CHECK(region.deallocate(c.value()).ok());
  CHECK(region.deallocate(b.value()).ok());
  CHECK(region.deallocate(a.value()).ok());
}

TEST_CASE("freeing the most recent block gives its bytes back, padding included") {
  Arena arena(4096);
  Region<> region;
  REQUIRE(region.add_region(arena.region()).ok());
  auto first = region.allocate(1, 1);  // so the next block needs padding
  REQUIRE(first.ok());
  const auto before = region.stats();

  const std::size_t pad = padding(arena.begin + 1, 64);
  auto block = region.allocate(100, 64);
  REQUIRE(block.ok());
  CHECK(block.value() == arena.begin + 1 + pad);
  CHECK(region.stats().bytes_in_use == before.bytes_in_use + pad + 100);
  CHECK(region.stats().bytes_free == before.bytes_free - pad - 100);

  REQUIRE(region.deallocate(block.value()).ok());
  auto after = region.stats();
  CHECK(after.bytes_in_use == before.bytes_in_use);
  CHECK(after.bytes_free == before.bytes_free);
  CHECK(after.largest_free == before.largest_free);
  CHECK(after.peak_in_use == before.bytes_in_use + pad + 100);

  SUBCASE("a second free of it is a double free and changes nothing") {
    CHECK(region.deallocate(block.value()).error() == Error::double_free);
    CHECK(region.stats() == after);
  }
  SUBCASE("the space is handed out again") {
    auto next = region.allocate(100, 64);
    REQUIRE(next.ok());
    CHECK(next.value() == block.value());
  }
  SUBCASE("an older block is accepted but keeps its space (bump allocator)") {
    CHECK(region.deallocate(first.value()).ok());
    CHECK(region.stats() == after);
  }
}

TEST_CASE("pointers the region did not hand out are not_owned") {
  Arena arena(4096, 1);  // skewed, so arena.begin - 1 is still a valid pointer
  int elsewhere = 0;

  SUBCASE("before any region was added") {
    Region<> region;
    CHECK(region.deallocate(&elsewhere).error() == Error::not_owned);
    CHECK(region.deallocate(arena.begin).error() == Error::not_owned);
  }
  SUBCASE("with a region") {
    Region<> region;
    REQUIRE(region.add_region(arena.region()).ok());
    auto block = region.allocate(64, 8);
    REQUIRE(block.ok());
    const auto stats = region.stats();
    CHECK(region.deallocate(&elsewhere).error() == Error::not_owned);
    CHECK(region.deallocate(arena.end).error() == Error::not_owned);        // one past the end
    CHECK(region.deallocate(arena.begin - 1).error() == Error::not_owned);  // just before
    CHECK(region.deallocate(arena.begin + 2000).error() == Error::not_owned);  // inside, never handed out
    CHECK(region.deallocate(nullptr).ok());  // like free(NULL)
    CHECK(region.stats() == stats);
    CHECK(region.deallocate(block.value()).ok());  // the real block is still the most recent
    CHECK(region.stats().bytes_in_use == 0);
  }
}

TEST_CASE("an alignment that is not a power of two is invalid_argument") {
  Arena arena(4096);
  Region<> region;
  REQUIRE(region.add_region(arena.region()).ok());
  REQUIRE(region.allocate(10, 1).ok());
  const auto stats = region.stats();
  for (std::size_t align : {std::size_t{0}, std::size_t{3}, std::size_t{5}, std::size_t{6}, std::size_t{12},
                            std::size_t{48}, std::size_t{100}, std::size_t{4095}, kSizeMax}) {
    CAPTURE(align);
    CHECK(region.allocate(16, align).error() == Error::invalid_argument);
    CHECK(region.allocate(0, align).error() == Error::invalid_argument);
  }
  CHECK(region.stats() == stats);
}

TEST_CASE("impossible sizes and alignments are out_of_memory and corrupt nothing") {
  Arena arena(4096);
  Region<> region;
  REQUIRE(region.add_region(arena.region()).ok());
  auto block = region.allocate(16, 16);
  REQUIRE(block.ok());
  const auto stats = region.stats();

  const std::size_t top_bit = kSizeMax / 2 + 1;
  struct Request {
    std::size_t size, align;
  };
  for (const Request& request : {Request{kSizeMax, 1}, Request{kSizeMax, 4096}, Request{kSizeMax - 7, 8},
                             Request{kSizeMax - 4096, 1}, Request{4097, 1}, Request{4096, 1}, Request{1, top_bit},
                             Request{0, top_bit}, Request{kSizeMax, top_bit}, Request{1, top_bit / 2}}) {
    CAPTURE(request.size);
    CAPTURE(request.align);
    CHECK(region.allocate(request.size, request.align).error() == Error::out_of_memory);
    CHECK(region.stats() == stats);
  }
  // The most recent block is still known: freeing it gives its bytes back.
  REQUIRE(region.deallocate(block.value()).ok());
  CHECK(region.stats().bytes_in_use == 0);
  // And the whole region can still be handed out.
  auto all = region.allocate(4096, 1);
  REQUIRE(all.ok());
  CHECK(all.value() == arena.begin);
  std::memset(all.value(), 0, 4096);
}

TEST_CASE(".bytes caps the region") {
  Arena arena(64 << 10);
  SUBCASE("a cap below the region's size") {
    Region<{.bytes = 1024}> region;
    REQUIRE(region.add_region(arena.region()).ok());
    CHECK(region.stats().bytes_free == 1024);
    CHECK(region.stats().largest_free == 1024);
    CHECK(region.allocate(1025, 1).error() == Error::out_of_memory);
    auto block = region.allocate(1024, 1);
    REQUIRE(block.ok());
    CHECK(region.allocate(0, 1).error() == Error::out_of_memory);
    CHECK(region.deallocate(arena.begin + 2000).error() == Error::not_owned);  // beyond the cap
  }
  SUBCASE("a cap above the region's size") {
    Region<{.bytes = 1 << 20}> region;
    REQUIRE(region.add_region(arena.region()).ok());
    CHECK(region.stats().bytes_free == 64 << 10);
  }
}

TEST_CASE("add_region takes one valid region") {
  Arena arena(4096), other(4096);
  Region<> region;
  CHECK(region.add_region({nullptr, nullptr}).error() == Error::invalid_argument);
  CHECK(region.add_region({arena.end, arena.begin}).error() == Error::invalid_argument);
  REQUIRE(region.add_region(arena.region()).ok());  // the failures above left no trace
  CHECK(region.add_region(other.region()).error() == Error::not_supported);
  CHECK(region.stats().bytes_free == 4096);
  auto block = region.allocate(8, 8);
  REQUIRE(block.ok());
  CHECK(arena.contains(block.value(), 8));
}

TEST_CASE("stats track bytes in use, peak, free and largest free") {
  Region<> region;
  CHECK(region.stats() == AllocatorStats{});
  CHECK(region.allocate(1, 1).error() == Error::out_of_memory);  // no memory yet

  Arena arena(4096);
  REQUIRE(region.add_region(arena.region()).ok());
  CHECK(region.stats() == AllocatorStats{0, 0, 4096, 4096});
  auto a = region.allocate(100, 1);
  REQUIRE(a.ok());
  CHECK(region.stats() == AllocatorStats{100, 100, 3996, 3996});
  auto b = region.allocate(200, 1);
  REQUIRE(b.ok());
  CHECK(region.stats() == AllocatorStats{300, 300, 3796, 3796});
  REQUIRE(region.deallocate(b.value()).ok());
  CHECK(region.stats() == AllocatorStats{100, 300, 3996, 3996});
  auto c = region.allocate(50, 1);
  REQUIRE(c.ok());
  CHECK(region.stats() == AllocatorStats{150, 300, 3946, 3946});
  REQUIRE(region.deallocate(a.value()).ok());  // older block: still in use
  CHECK(region.stats() == AllocatorStats{150, 300, 3946, 3946});
}

// A bump allocator's behaviour written down independently: blocks are laid out in order, the
// most recent one can be taken back, and every live block keeps its contents.
TEST_CASE("a seeded random allocate/free script agrees with a shadow model") {
  struct Block {
    std::byte* p;
    std::size_t size;
    std::byte fill;
  };
  constexpr std::size_t kCapacity = 16 << 10;

  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);  // every failure names its seed; rerun with only that seed to debug
    std::mt19937_64 rng(seed);
    Arena arena(kCapacity, seed % 8);
    Region<> region;
    REQUIRE(region.add_region(arena.region()).ok());

    std::vector<Block> live;
    std::size_t top = 0, peak = 0;  // model state
    std::size_t last_offset = 0, last_before = 0;
    enum { none, live_last, freed_last } last = none;
    std::byte next_fill{1};

    const auto check_contents = [&] {
      for (const Block& b : live)
        for (std::size_t i = 0; i < b.size; ++i) REQUIRE(b.p[i] == b.fill);
    };
    const auto free_live = [&](std::size_t index) {
      Block b = live[index];
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(index));
      REQUIRE(region.deallocate(b.p).ok());
      if (last == live_last && b.p == arena.begin + last_offset) {
        top = last_before;
        last = freed_last;
      }
    };

    for (int step = 0; step < 1500; ++step) {
      CAPTURE(step);
      const unsigned op = static_cast<unsigned>(rng() % 100);
      if (op < 55) {
        const std::size_t size = rng() % 8 == 0 ? 0 : static_cast<std::size_t>(rng() % 700);
        const std::size_t align = std::size_t{1} << (rng() % 13);
        const std::size_t pad = padding(arena.begin + top, align);
        const std::size_t need = size == 0 ? 1 : size;
        auto result = region.allocate(size, align);
        if (pad + need > kCapacity - top) {
          REQUIRE(result.error() == Error::out_of_memory);
        } else {
          REQUIRE(result.ok());
          auto* p = static_cast<std::byte*>(result.value());
          REQUIRE(p == arena.begin + top + pad);
          REQUIRE(address(p) % align == 0);
          REQUIRE(arena.contains(p, need));
          for (const Block& b : live)  // no overlap with any live block
            REQUIRE((address(p) + need <= address(b.p) || address(b.p) + (b.size == 0 ? 1 : b.size) <= address(p)));
          std::memset(p, static_cast<int>(next_fill), size);
          live.push_back({p, size, next_fill});
          next_fill = static_cast<std::byte>(static_cast<unsigned>(next_fill) % 255 + 1);
          last_before = top;
          last_offset = top + pad;
          last = live_last;
          top = last_offset + need;
          if (top > peak) peak = top;
        }
      } else if (op < 80) {
        if (!live.empty()) free_live(live.size() - 1);  // the newest live block
      } else if (op < 92) {
        if (!live.empty()) free_live(static_cast<std::size_t>(rng() % live.size()));
      } else if (op < 96) {
        if (last == freed_last)
          REQUIRE(region.deallocate(arena.begin + last_offset).error() == Error::double_free);
      } else if (top < kCapacity) {  // a pointer past everything handed out
        const std::size_t offset = top + static_cast<std::size_t>(rng() % (kCapacity - top));
        const Error expected = last == freed_last && offset == last_offset ? Error::double_free : Error::not_owned;
        REQUIRE(region.deallocate(arena.begin + offset).error() == expected);
      }

      const auto stats = region.stats();
      REQUIRE(stats.bytes_in_use == top);
      REQUIRE(stats.peak_in_use == peak);
      REQUIRE(stats.bytes_free == kCapacity - top);
      REQUIRE(stats.largest_free == kCapacity - top);
      if (step % 100 == 0) check_contents();
    }
    check_contents();
  }
}

// The same allocator in constant evaluation: any undefined behaviour here is a compile error.
// Alignment is relative to the arena's start there, so the arena is aligned well enough for
// the script to mean the same at run time.
constexpr bool region_script() {
  alignas(64) std::byte arena[512]{};
  std::byte elsewhere{};
  Region<> region;
  if (!region.add_region({arena, arena + 512}).ok()) return false;
  if (region.add_region({arena, arena + 512}).error() != Error::not_supported) return false;

  auto a = region.allocate(3, 1);  // [0, 3)
  auto b = region.allocate(8, 8);  // [8, 16): 5 bytes of padding
  if (!a.ok() || !b.ok() || a.value() != arena || b.value() != arena + 8) return false;
  if (region.stats().bytes_in_use != 16) return false;
  if (!region.deallocate(b.value()).ok()) return false;
  if (region.stats().bytes_in_use != 3 || region.stats().peak_in_use != 16) return false;
  if (region.deallocate(b.value()).error() != Error::double_free) return false;
  if (region.deallocate(arena + 300).error() != Error::not_owned) return false;
  if (region.deallocate(&elsewhere).error() != Error::not_owned) return false;
  if (region.allocate(1, 3).error() != Error::invalid_argument) return false;
  if (region.allocate(kSizeMax, 1).error() != Error::out_of_memory) return false;
  if (region.allocate(1, kSizeMax / 2 + 1).error() != Error::out_of_memory) return false;

  auto z1 = region.allocate(0, 1), z2 = region.allocate(0, 1);
  if (!z1.ok() || !z2.ok() || z1.value() == z2.value()) return false;

  int blocks = 0;  // [64, 128), [128, 192) … [448, 512)
  for (;;) {
    auto block = region.allocate(64, 64);
    if (!block.ok()) {
      if (block.error() != Error::out_of_memory) return false;
      break;
    }
    ++blocks;
  }
  return blocks == 7 && region.stats().bytes_free == 0 && region.stats().peak_in_use == 512;
}
static_assert(region_script(), "alloc::Region allocate/free script in constant evaluation");

TEST_CASE("the constant-evaluation script also passes at run time") { CHECK(region_script()); }
