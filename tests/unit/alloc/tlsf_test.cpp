// alloc::Tlsf (include/tessera/alloc/tlsf.hpp): alignment, exhaustion and recovery, zero size,
// coalescing, the exact meaning of largest_free, reallocate, several regions, overflow,
// misuse (reported with .debug, error values without), seeded random workloads against the
// shadow model, O(1) region set-up, and a seeded script inside static_assert.

#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <tessera/alloc/tlsf.hpp>

#include "alloc/arena.hpp"
#include "alloc/script_arena.hpp"
#include "alloc/shadow_model.hpp"
#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::MemoryRegion;
using tessera::alloc::Tlsf;
using tessera::api::AllocatorStats;
using tessera::test::MisuseDetected;
using tessera::test::ScriptBlock;
using tessera::test::ScriptStep;
using tessera::test::any_out_of_memory;
using tessera::test::as_asked;
using tessera::test::address;
using tessera::test::misuse_of;

using Debug = Tlsf<{.debug = true}>;

constexpr std::size_t kSizeMax = static_cast<std::size_t>(-1);
constexpr std::size_t kHeader = Tlsf<>::header_bytes;           // 16
constexpr std::size_t kOverhead = Tlsf<>::region_overhead;      // 32


// Heap memory of exactly `size` bytes, `skew` bytes past a 16-byte aligned start.
struct Arena : tessera::test::HeapArena {
  explicit Arena(std::size_t size, std::size_t skew = 0) : HeapArena(size, alignof(std::max_align_t), skew) {}
};

// The managed bytes of a region of `size` bytes starting 16-byte aligned: all but the record
// and the end marker.
constexpr std::size_t managed(std::size_t size) { return size - kOverhead; }
// The largest request a fresh region of `size` bytes (16-byte aligned) satisfies.
constexpr std::size_t largest(std::size_t size) { return size - kOverhead - kHeader; }

// allocate(n, 16) succeeds exactly for n <= largest_free; checked without changing the state.
template <class A>
void check_largest_free_is_exact(A& a) {
  const auto before = a.stats();
  const std::size_t largest_free = before.largest_free;
  CAPTURE(largest_free);
  CHECK(a.allocate(largest_free + 1, 16).error() == Error::out_of_memory);
  CHECK(a.allocate(largest_free + 1, 1).error() == Error::out_of_memory);
  if (largest_free == 0) return;
  auto block = a.allocate(largest_free, 16);
  REQUIRE(block.ok());
  std::memset(block.value(), 0xee, largest_free);
  REQUIRE(a.deallocate(block.value()).ok());
  const auto after = a.stats();
  CHECK(after.bytes_in_use == before.bytes_in_use);
  CHECK(after.bytes_free == before.bytes_free);
}

}  // namespace

TEST_CASE("a fresh region: statistics and one block of all of it") {
  Tlsf<> tlsf;
  CHECK(tlsf.stats() == AllocatorStats{});
  CHECK(tlsf.allocate(0, 1).error() == Error::out_of_memory);  // no memory yet
  CHECK(tlsf.deallocate(nullptr).ok());

  Arena arena(64 << 10);
  REQUIRE(tlsf.add_region(arena.region()).ok());
  CHECK(tlsf.stats() == AllocatorStats{0, 0, managed(64 << 10), largest(64 << 10)});
  check_largest_free_is_exact(tlsf);
  auto all = tlsf.allocate(largest(64 << 10), 1);
  REQUIRE(all.ok());
  CHECK(all.value() == arena.begin + 32);  // after the region record and the block's header
  std::memset(all.value(), 0x42, largest(64 << 10));
  CHECK(tlsf.stats() == AllocatorStats{managed(64 << 10), managed(64 << 10), 0, 0});
  CHECK(tlsf.allocate(0, 1).error() == Error::out_of_memory);
  REQUIRE(tlsf.deallocate(all.value()).ok());
  CHECK(tlsf.stats() == AllocatorStats{0, managed(64 << 10), managed(64 << 10), largest(64 << 10)});
}

TEST_CASE("a region that becomes the top is written at its start only, until the top is used up") {
  // A fresh region's far end stays untouched (on QEMU, a first write there costs the host a
  // zeroed 2 MiB page at boot); the end marker appears when the top is used up, and then
  // separates the last block from whatever follows the region.
  constexpr std::size_t kSize = 64 << 10;
  Arena arena(kSize);
  std::memset(arena.begin, 0xa5, kSize);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  for (std::size_t i = 16; i < kSize; ++i) REQUIRE(static_cast<unsigned char>(arena.begin[i]) == 0xa5);
  auto all = tlsf.allocate(largest(kSize), 16);
  REQUIRE(all.ok());
  for (std::size_t i = kSize - 16; i < kSize; ++i) CHECK(static_cast<unsigned char>(arena.begin[i]) != 0xa5);
  // Freeing it merges with nothing past the end: one free block of the whole region again.
  REQUIRE(tlsf.deallocate(all.value()).ok());
  CHECK(tlsf.stats() == AllocatorStats{0, managed(kSize), managed(kSize), largest(kSize)});
  check_largest_free_is_exact(tlsf);
}

TEST_CASE("the top: cut from its front, freed blocks next to it merge back, grown and shrunk into") {
  constexpr std::size_t kSize = 64 << 10;
  Arena arena(kSize);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  const auto initial = tlsf.stats();
  // Cuts from the top lie one after another from the region's start.
  auto a = tlsf.allocate(100, 16), b = tlsf.allocate(200, 16), c = tlsf.allocate(50, 16);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a.value() == arena.begin + 32);
  CHECK(address(b.value()) == address(a.value()) + 128);  // 100 + 16 rounded to 16
  CHECK(address(c.value()) == address(b.value()) + 224);
  CHECK(tlsf.stats().largest_free == largest(kSize) - 128 - 224 - 80);
  // The last block merges back into the top; the one before it then too, with its free neighbour.
  REQUIRE(tlsf.deallocate(c.value()).ok());
  CHECK(tlsf.stats().largest_free == largest(kSize) - 128 - 224);
  REQUIRE(tlsf.deallocate(a.value()).ok());  // not next to the top: a listed free block
  CHECK(tlsf.stats().largest_free == largest(kSize) - 128 - 224);
  CHECK(tlsf.deallocate(c.value()).error() == Error::double_free);  // its header, inside the top, says free
  REQUIRE(tlsf.deallocate(b.value()).ok());  // merges with a, and both with the top
  CHECK(tlsf.stats() == AllocatorStats{0, initial.peak_in_use + 128 + 224 + 80, initial.bytes_free, initial.largest_free});
  CHECK(tlsf.deallocate(a.value()).error() == Error::double_free);
  CHECK(tlsf.deallocate(b.value()).error() == Error::double_free);

  // reallocate grows into the top and shrinks back into it, in place.
  auto d = tlsf.allocate(1000, 16);
  REQUIRE(d.ok());
  std::memset(d.value(), 0x5a, 1000);
  auto grown = tlsf.reallocate(d.value(), 30000);
  REQUIRE(grown.ok());
  CHECK(grown.value() == d.value());
  CHECK(tlsf.stats().largest_free == largest(kSize) - 30016);  // 30000 + 16
  auto shrunk = tlsf.reallocate(d.value(), 500);
  REQUIRE(shrunk.ok());
  CHECK(shrunk.value() == d.value());
  CHECK(tlsf.stats().largest_free == largest(kSize) - 528);  // 500 + 16, rounded up to 16
  for (std::size_t i = 0; i < 500; ++i) REQUIRE(static_cast<unsigned char*>(d.value())[i] == 0x5a);

  // Using the top up exactly leaves none; freeing the block before the region's end gives a
  // listed block that serves the whole size again.
  const std::size_t rest = tlsf.stats().largest_free;
  auto last = tlsf.allocate(rest, 16);
  REQUIRE(last.ok());
  CHECK(tlsf.stats().largest_free == 0);
  CHECK(tlsf.allocate(1, 1).error() == Error::out_of_memory);
  REQUIRE(tlsf.deallocate(last.value()).ok());
  CHECK(tlsf.stats().largest_free == rest);
  REQUIRE(tlsf.deallocate(d.value()).ok());
  CHECK(tlsf.stats().bytes_free == initial.bytes_free);
  CHECK(tlsf.stats().largest_free == initial.largest_free);
  check_largest_free_is_exact(tlsf);

  // An aligned cut from the top leaves the gap before it as a free block, used again later.
  auto e = tlsf.allocate(16, 16);
  REQUIRE(e.ok());
  auto aligned = tlsf.allocate(64, 4096);
  REQUIRE(aligned.ok());
  CHECK(address(aligned.value()) % 4096 == 0);
  auto in_gap = tlsf.allocate(16, 16);
  REQUIRE(in_gap.ok());
  CHECK(address(in_gap.value()) < address(aligned.value()));
  for (void* p : {e.value(), aligned.value(), in_gap.value()}) REQUIRE(tlsf.deallocate(p).ok());
  CHECK(tlsf.stats().bytes_free == initial.bytes_free);
  CHECK(tlsf.stats().largest_free == initial.largest_free);
}

TEST_CASE("alignment is honoured for every power of two from 1 to 4096") {
  for (std::size_t skew : {0, 1, 3, 8, 15}) {
    Arena arena(1 << 20, skew);
    Tlsf<> tlsf;
    REQUIRE(tlsf.add_region(arena.region()).ok());
    const auto initial = tlsf.stats();
    std::vector<void*> blocks;
    for (std::size_t align = 1; align <= 4096; align *= 2) {
      for (std::size_t size : {0, 1, 7, 16, 17, 64, 100, 4096}) {
        CAPTURE(skew);
        CAPTURE(align);
        CAPTURE(size);
        auto block = tlsf.allocate(size, align);
        REQUIRE(block.ok());
        CHECK(address(block.value()) % align == 0);
        CHECK(address(block.value()) % 16 == 0);  // every payload is 16-byte aligned
        CHECK(arena.contains(block.value(), size == 0 ? 1 : size));
        std::memset(block.value(), 0xab, size);
        blocks.push_back(block.value());
        auto filler = tlsf.allocate(1, 1);  // so the next block does not start aligned by luck
        REQUIRE(filler.ok());
        blocks.push_back(filler.value());
      }
    }
    std::shuffle(blocks.begin(), blocks.end(), std::mt19937_64(skew));
    for (void* p : blocks) REQUIRE(tlsf.deallocate(p).ok());
    CHECK(tlsf.stats().bytes_in_use == 0);
    CHECK(tlsf.stats().bytes_free == initial.bytes_free);
    CHECK(tlsf.stats().largest_free == initial.largest_free);
  }
}

TEST_CASE("exhaustion returns out_of_memory and the allocator recovers") {
  constexpr std::size_t kSize = 16 << 10;
  Arena arena(kSize);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  const auto initial = tlsf.stats();

  std::vector<void*> blocks;
  for (;;) {
    auto block = tlsf.allocate(100, 8);
    if (!block) {
      CHECK(block.error() == Error::out_of_memory);
      break;
    }
    std::memset(block.value(), 0x5a, 100);
    blocks.push_back(block.value());
    REQUIRE(blocks.size() <= kSize / 100);
  }
  CHECK(blocks.size() == managed(kSize) / 128);  // 100 + 16 rounded up to 128
  check_largest_free_is_exact(tlsf);
  const auto full = tlsf.stats();
  CHECK(full.bytes_in_use == blocks.size() * 128);
  CHECK(full.bytes_in_use + full.bytes_free == initial.bytes_free);

  // A failed request changes nothing; what is left can still be handed out.
  CHECK(tlsf.allocate(100, 8).error() == Error::out_of_memory);
  CHECK(tlsf.stats() == full);
  if (full.largest_free > 0) {
    auto tail = tlsf.allocate(full.largest_free, 1);
    REQUIRE(tail.ok());
    blocks.push_back(tail.value());
  }
  CHECK(tlsf.allocate(0, 1).error() == Error::out_of_memory);

  // Freeing every other block makes room for small blocks but not a big one.
  for (std::size_t i = 0; i < blocks.size(); i += 2) REQUIRE(tlsf.deallocate(blocks[i]).ok());
  CHECK(tlsf.stats().largest_free == 128 - kHeader);
  CHECK(tlsf.allocate(200, 16).error() == Error::out_of_memory);
  auto small = tlsf.allocate(100, 16);
  REQUIRE(small.ok());
  REQUIRE(tlsf.deallocate(small.value()).ok());

  // Freeing the rest gives back one block of the original size.
  for (std::size_t i = 1; i < blocks.size(); i += 2) REQUIRE(tlsf.deallocate(blocks[i]).ok());
  CHECK(tlsf.stats().bytes_in_use == 0);
  CHECK(tlsf.stats().bytes_free == initial.bytes_free);
  CHECK(tlsf.stats().largest_free == initial.largest_free);
  auto all = tlsf.allocate(initial.largest_free, 16);
  REQUIRE(all.ok());
  CHECK(all.value() == arena.begin + 32);
}

TEST_CASE("zero-size requests return distinct, freeable pointers") {
  Arena arena(4096);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  std::vector<void*> blocks;
  for (std::size_t align : {1, 1, 16, 64, 1, 256}) {
    auto block = tlsf.allocate(0, align);
    REQUIRE(block.ok());
    CHECK(block.value() != nullptr);
    CHECK(address(block.value()) % align == 0);
    for (void* other : blocks) CHECK(other != block.value());
    blocks.push_back(block.value());
  }
  CHECK(tlsf.stats().bytes_in_use >= 6 * Tlsf<>::min_block);
  for (void* p : blocks) CHECK(tlsf.deallocate(p).ok());
  CHECK(tlsf.stats().bytes_in_use == 0);
  CHECK(tlsf.stats().largest_free == largest(4096));
}

TEST_CASE("freed neighbours coalesce, in every order") {
  constexpr std::size_t kSize = 4096;
  std::array<int, 4> order{0, 1, 2, 3};
  do {
    CAPTURE(order[0] * 1000 + order[1] * 100 + order[2] * 10 + order[3]);
    Arena arena(kSize);
    Tlsf<> tlsf;
    REQUIRE(tlsf.add_region(arena.region()).ok());
    std::array<void*, 4> blocks{};
    for (std::size_t i = 0; i < 4; ++i) {
      auto block = tlsf.allocate(200 + 100 * i, 16);
      REQUIRE(block.ok());
      blocks[i] = block.value();
    }
    // Laid out in order from the region's start, each 16 bytes of header apart.
    CHECK(blocks[0] == arena.begin + 32);
    for (std::size_t i = 1; i < 4; ++i)
      CHECK(address(blocks[i]) == address(blocks[i - 1]) + ((200 + 100 * (i - 1) + 16 + 15) & ~std::size_t{15}));
    auto fence = tlsf.allocate(tlsf.stats().largest_free, 1);  // the rest of the region
    REQUIRE(fence.ok());
    CHECK(tlsf.stats().bytes_free == 0);
    std::size_t freed = 0;
    for (int i : order) {
      REQUIRE(tlsf.deallocate(blocks[static_cast<std::size_t>(i)]).ok());
      freed += (200 + 100 * static_cast<std::size_t>(i) + 16 + 15) & ~std::size_t{15};
      CHECK(tlsf.stats().bytes_free == freed);
    }
    CHECK(tlsf.stats().largest_free == freed - kHeader);  // one block, not four    // The four are one free block again: a request for all of it lands at the first one.
    auto merged = tlsf.allocate(freed - kHeader, 16);
    REQUIRE(merged.ok());
    CHECK(merged.value() == blocks[0]);
    std::memset(merged.value(), 1, freed - kHeader);
    REQUIRE(tlsf.deallocate(merged.value()).ok());
    REQUIRE(tlsf.deallocate(fence.value()).ok());
    CHECK(tlsf.stats().bytes_in_use == 0);
    CHECK(tlsf.stats().largest_free == largest(kSize));
    auto all = tlsf.allocate(largest(kSize), 16);
    REQUIRE(all.ok());
    CHECK(all.value() == arena.begin + 32);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST_CASE("a block freed by a request is reused whole by the same request (no split, no merge)") {
  // Requests above 512 bytes are rounded up to the next class when searching; a freed block of
  // exactly the request's size sits in the class below, and its head is tried first.
  for (std::size_t size : {600, 4096, 5000, 70000}) {
    CAPTURE(size);
    Arena arena(1 << 20);
    Tlsf<> tlsf;
    REQUIRE(tlsf.add_region(arena.region()).ok());
    std::array<void*, 3> blocks{};
    for (auto& b : blocks) {
      auto r = tlsf.allocate(size, 16);
      REQUIRE(r.ok());
      b = r.value();
    }
    REQUIRE(tlsf.deallocate(blocks[1]).ok());  // between two used blocks: nothing to merge with
    const auto free_before = tlsf.stats().bytes_free;
    auto again = tlsf.allocate(size, 16);
    REQUIRE(again.ok());
    CHECK(again.value() == blocks[1]);
    CHECK(tlsf.stats().bytes_free == free_before - ((size + 16 + 15) & ~std::size_t{15}));
    // Aligned requests take the same path when the block can hold the alignment gap.
    REQUIRE(tlsf.deallocate(again.value()).ok());
    auto aligned = tlsf.allocate(size / 2, 64);
    REQUIRE(aligned.ok());
    CHECK(address(aligned.value()) % 64 == 0);
    for (void* b : {blocks[0], blocks[2], aligned.value()}) REQUIRE(tlsf.deallocate(b).ok());
    CHECK(tlsf.stats().bytes_in_use == 0);
    CHECK(tlsf.stats().largest_free == largest(1 << 20));
  }
}

TEST_CASE("largest_free is exactly the largest request that succeeds, in fragmented heaps") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 random(seed);
    Arena arena(256 << 10);
    Tlsf<> tlsf;
    REQUIRE(tlsf.add_region(arena.region()).ok());
    std::vector<void*> live;
    for (int step = 0; step < 600; ++step) {
      if (!live.empty() && random() % 100 < 40) {
        const std::size_t i = random() % live.size();
        REQUIRE(tlsf.deallocate(live[i]).ok());
        live[i] = live.back();
        live.pop_back();
      } else {
        const std::size_t size = random() % 4 == 0 ? random() % 20000 : random() % 600;
        auto block = tlsf.allocate(size, std::size_t{1} << (random() % 7));
        if (block) live.push_back(block.value());
      }
      if (step % 25 == 0) {
        check_largest_free_is_exact(tlsf);
        const auto s = tlsf.stats();
        CHECK(s.bytes_in_use + s.bytes_free == managed(256 << 10));
        CHECK(s.largest_free + kHeader <= s.bytes_free);
      }
    }
  }
}

TEST_CASE("reallocate: shrink and grow in place, move when it must, keep the contents") {
  Arena arena(64 << 10);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  auto fill = [](void* p, std::size_t n, unsigned char seed) {
    auto* b = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed + i * 7);
  };
  auto intact = [](const void* p, std::size_t n, unsigned char seed) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i)
      if (b[i] != static_cast<unsigned char>(seed + i * 7)) return false;
    return true;
  };

  SUBCASE("reallocate(nullptr, n) allocates") {
    auto p = tlsf.reallocate(nullptr, 100);
    REQUIRE(p.ok());
    CHECK(address(p.value()) % 16 == 0);
    CHECK(tlsf.stats().bytes_in_use == 128);
    CHECK(tlsf.deallocate(p.value()).ok());
  }
  SUBCASE("grow into the free block after it, then shrink, in place") {
    auto a = tlsf.allocate(100, 16);
    REQUIRE(a.ok());
    fill(a.value(), 100, 3);
    auto grown = tlsf.reallocate(a.value(), 5000);
    REQUIRE(grown.ok());
    CHECK(grown.value() == a.value());
    CHECK(intact(grown.value(), 100, 3));
    CHECK(tlsf.stats().bytes_in_use == ((5000 + 16 + 15) & ~std::size_t{15}));
    fill(grown.value(), 5000, 9);
    auto shrunk = tlsf.reallocate(grown.value(), 40);
    REQUIRE(shrunk.ok());
    CHECK(shrunk.value() == a.value());
    CHECK(intact(shrunk.value(), 40, 9));
    CHECK(tlsf.stats().bytes_in_use == 64);
    // The freed tail merged with the rest of the region: one block again after the free.
    CHECK(tlsf.stats().largest_free == largest(64 << 10) - 64);
    auto same = tlsf.reallocate(shrunk.value(), 48);  // fits: nothing moves or changes
    REQUIRE(same.ok());
    CHECK(same.value() == a.value());
    CHECK(tlsf.stats().bytes_in_use == 64);
    auto zero = tlsf.reallocate(same.value(), 0);
    REQUIRE(zero.ok());
    CHECK(zero.value() == a.value());
    CHECK(tlsf.stats().bytes_in_use == 32);
    REQUIRE(tlsf.deallocate(zero.value()).ok());
    CHECK(tlsf.stats().largest_free == largest(64 << 10));
  }
  SUBCASE("grow using exactly the free neighbour (no tail left over)") {
    auto a = tlsf.allocate(100, 16);   // 128
    auto b = tlsf.allocate(100, 16);   // 128
    auto c = tlsf.allocate(100, 16);   // fence
    REQUIRE((a.ok() && b.ok() && c.ok()));
    fill(a.value(), 100, 1);
    REQUIRE(tlsf.deallocate(b.value()).ok());
    auto grown = tlsf.reallocate(a.value(), 240);  // 256 = 128 + 128
    REQUIRE(grown.ok());
    CHECK(grown.value() == a.value());
    CHECK(intact(grown.value(), 100, 1));
    CHECK(tlsf.stats().bytes_in_use == 256 + 128);
    REQUIRE(tlsf.deallocate(grown.value()).ok());
    REQUIRE(tlsf.deallocate(c.value()).ok());
    CHECK(tlsf.stats().largest_free == largest(64 << 10));
  }
  SUBCASE("move when the next block is in use; the old block is freed") {
    auto a = tlsf.allocate(300, 16);
    auto b = tlsf.allocate(50, 16);
    REQUIRE((a.ok() && b.ok()));
    fill(a.value(), 300, 5);
    fill(b.value(), 50, 77);
    auto moved = tlsf.reallocate(a.value(), 1000);
    REQUIRE(moved.ok());
    CHECK(moved.value() != a.value());
    CHECK(intact(moved.value(), 300, 5));
    CHECK(intact(b.value(), 50, 77));
    CHECK(tlsf.stats().bytes_in_use == ((1000 + 31) & ~std::size_t{15}) + 80);
    // a's old block is free again: a block of its size comes back at its address.
    auto again = tlsf.allocate(300, 16);
    REQUIRE(again.ok());
    CHECK(again.value() == a.value());
    for (void* p : {again.value(), b.value(), moved.value()}) REQUIRE(tlsf.deallocate(p).ok());
    CHECK(tlsf.stats().largest_free == largest(64 << 10));
  }
  SUBCASE("failure leaves the old block untouched") {
    auto a = tlsf.allocate(200, 16);
    auto fence = tlsf.allocate(10, 16);
    REQUIRE((a.ok() && fence.ok()));
    fill(a.value(), 200, 11);
    const auto stats = tlsf.stats();
    for (std::size_t size : {std::size_t{64} << 10, kSizeMax, kSizeMax - 15, kSizeMax / 2, Tlsf<>::max_block}) {
      CAPTURE(size);
      CHECK(tlsf.reallocate(a.value(), size).error() == Error::out_of_memory);
      CHECK(tlsf.stats() == stats);
      CHECK(intact(a.value(), 200, 11));
    }
    REQUIRE(tlsf.deallocate(a.value()).ok());
    REQUIRE(tlsf.deallocate(fence.value()).ok());
  }
  SUBCASE("a random sequence of reallocations keeps every block's contents") {
    std::mt19937_64 random(7);
    struct Live {
      void* p;
      std::size_t size;
      unsigned char seed;
    };
    std::vector<Live> live;
    for (int step = 0; step < 3000; ++step) {
      const unsigned op = static_cast<unsigned>(random() % 10);
      if (op < 3 || live.empty()) {
        const std::size_t size = random() % 700;
        auto p = tlsf.allocate(size, 16);
        if (!p) continue;
        const auto seed = static_cast<unsigned char>(random());
        fill(p.value(), size, seed);
        live.push_back({p.value(), size, seed});
      } else if (op < 8) {
        Live& l = live[random() % live.size()];
        const std::size_t size = random() % 2 ? random() % 3000 : l.size + random() % 64;
        auto p = tlsf.reallocate(l.p, size);
        REQUIRE(intact(p.ok() ? p.value() : l.p, std::min(size, l.size), l.seed));
        if (!p) continue;
        CHECK(address(p.value()) % 16 == 0);
        l.p = p.value();
        l.size = size;
        fill(l.p, size, l.seed);
      } else {
        const std::size_t i = random() % live.size();
        REQUIRE(intact(live[i].p, live[i].size, live[i].seed));
        REQUIRE(tlsf.deallocate(live[i].p).ok());
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    for (const Live& l : live) {
      REQUIRE(intact(l.p, l.size, l.seed));
      REQUIRE(tlsf.deallocate(l.p).ok());
    }
    CHECK(tlsf.stats().bytes_in_use == 0);
    CHECK(tlsf.stats().largest_free == largest(64 << 10));
  }
}

TEST_CASE("several regions: all are used, ownership is per region, every byte comes back") {
  Arena a(8 << 10), b(32 << 10, 5), c(4 << 10, 9);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(a.region()).ok());
  REQUIRE(tlsf.add_region(b.region()).ok());
  REQUIRE(tlsf.add_region(c.region()).ok());
  const auto initial = tlsf.stats();
  // b and c are skewed by 5 and 9: their records start 11 and 7 bytes in.
  const std::size_t b_managed = ((32 << 10) - 11) / 16 * 16 - kOverhead;
  const std::size_t c_managed = ((4 << 10) - 7) / 16 * 16 - kOverhead;
  CHECK(initial.bytes_free == managed(8 << 10) + b_managed + c_managed);
  CHECK(initial.largest_free == b_managed - kHeader);

  std::vector<void*> blocks;
  std::size_t in_a = 0, in_b = 0, in_c = 0;
  for (;;) {
    auto block = tlsf.allocate(200, 16);
    if (!block) break;
    std::memset(block.value(), 0x33, 200);
    in_a += a.contains(block.value(), 200);
    in_b += b.contains(block.value(), 200);
    in_c += c.contains(block.value(), 200);
    blocks.push_back(block.value());
  }
  CHECK(in_a + in_b + in_c == blocks.size());
  CHECK(in_a == managed(8 << 10) / 224);
  CHECK(in_b == b_managed / 224);
  CHECK(in_c == c_managed / 224);
  // Pointers outside every region, including between regions and in their bookkeeping.
  int elsewhere = 0;
  for (void* p : {static_cast<void*>(&elsewhere), static_cast<void*>(a.begin), static_cast<void*>(b.begin + 11),
                  static_cast<void*>(a.end), static_cast<void*>(c.end - 16)}) {
    CHECK(tlsf.deallocate(p).error() == Error::not_owned);
  }
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937_64(3));
  for (void* p : blocks) REQUIRE(tlsf.deallocate(p).ok());
  CHECK(tlsf.stats().bytes_in_use == 0);
  CHECK(tlsf.stats().bytes_free == initial.bytes_free);
  CHECK(tlsf.stats().largest_free == initial.largest_free);
  // Each region is whole again: largest first (a request is rounded up to a size class, so a
  // smaller region's whole block is handed out only when no larger class has a block).
  struct Whole {
    std::byte* payload;
    std::size_t size;
  };
  for (const Whole& whole : {Whole{b.begin + 11 + 32, b_managed - kHeader}, Whole{a.begin + 32, largest(8 << 10)},
                             Whole{c.begin + 7 + 32, c_managed - kHeader}}) {
    CHECK(tlsf.stats().largest_free == whole.size);
    auto block = tlsf.allocate(whole.size, 16);
    REQUIRE(block.ok());
    CHECK(block.value() == whole.payload);
  }
  CHECK(tlsf.stats().bytes_free == 0);
}

TEST_CASE("bad regions are invalid_argument; .bytes caps what is used") {
  Arena arena(4096), other(4096);
  SUBCASE("bad regions") {
    Tlsf<> tlsf;
    CHECK(tlsf.add_region({nullptr, nullptr}).error() == Error::invalid_argument);
    CHECK(tlsf.add_region({arena.end, arena.begin}).error() == Error::invalid_argument);
    CHECK(tlsf.add_region({arena.begin, arena.begin + 63}).error() == Error::invalid_argument);
    CHECK(tlsf.add_region({arena.begin + 1, arena.begin + 64}).error() == Error::invalid_argument);
    CHECK(tlsf.stats() == AllocatorStats{});
    CHECK(tlsf.add_region({arena.begin, arena.begin + 64}).ok());  // the smallest: one 32-byte block
    CHECK(tlsf.stats() == AllocatorStats{0, 0, 32, 16});
    auto block = tlsf.allocate(16, 16);
    REQUIRE(block.ok());
    CHECK(tlsf.allocate(0, 1).error() == Error::out_of_memory);
  }
  SUBCASE("regions must not overlap; adjacent is fine") {
    Tlsf<> tlsf;
    REQUIRE(tlsf.add_region({arena.begin, arena.begin + 2048}).ok());
    CHECK(tlsf.add_region({arena.begin, arena.begin + 2048}).error() == Error::invalid_argument);
    CHECK(tlsf.add_region({arena.begin + 1024, arena.end}).error() == Error::invalid_argument);
    CHECK(tlsf.add_region({arena.begin + 2032, arena.end}).error() == Error::invalid_argument);
    REQUIRE(tlsf.add_region({arena.begin + 2048, arena.end}).ok());
    CHECK(tlsf.stats().bytes_free == 2 * managed(2048));
    auto one = tlsf.allocate(largest(2048), 16), two = tlsf.allocate(largest(2048), 16);
    REQUIRE((one.ok() && two.ok()));
    std::memset(one.value(), 1, largest(2048));
    std::memset(two.value(), 2, largest(2048));
    REQUIRE(tlsf.deallocate(one.value()).ok());
    REQUIRE(tlsf.deallocate(two.value()).ok());
  }
  SUBCASE("a cap") {
    Tlsf<{.bytes = 5000}> tlsf;
    REQUIRE(tlsf.add_region(arena.region()).ok());
    CHECK(tlsf.stats().bytes_free == managed(4096));
    REQUIRE(tlsf.add_region(other.region()).ok());  // only 904 bytes of it count
    CHECK(tlsf.stats().bytes_free == managed(4096) + managed(896));
    Arena third(4096);
    REQUIRE(tlsf.add_region(third.region()).ok());  // beyond the cap: ignored
    CHECK(tlsf.stats().bytes_free == managed(4096) + managed(896));
    CHECK(tlsf.deallocate(third.begin + 64).error() == Error::not_owned);
  }
}

TEST_CASE("an alignment that is not a power of two is invalid_argument") {
  Arena arena(4096);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  REQUIRE(tlsf.allocate(10, 1).ok());
  const auto stats = tlsf.stats();
  for (std::size_t align : {std::size_t{0}, std::size_t{3}, std::size_t{5}, std::size_t{6}, std::size_t{12},
                            std::size_t{48}, std::size_t{100}, std::size_t{4095}, kSizeMax}) {
    CAPTURE(align);
    CHECK(tlsf.allocate(16, align).error() == Error::invalid_argument);
    CHECK(tlsf.allocate(0, align).error() == Error::invalid_argument);
  }
  CHECK(tlsf.stats() == stats);
}

TEST_CASE("impossible sizes and alignments are out_of_memory and corrupt nothing") {
  Arena arena(64 << 10);
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  auto block = tlsf.allocate(16, 16);
  REQUIRE(block.ok());
  std::memset(block.value(), 0x77, 16);
  const auto stats = tlsf.stats();

  const std::size_t top_bit = kSizeMax / 2 + 1;
  struct Request {
    std::size_t size, align;
  };
  for (const Request& request :
       {Request{kSizeMax, 1}, Request{kSizeMax, 4096}, Request{kSizeMax - 7, 8}, Request{kSizeMax - 15, 16},
        Request{kSizeMax - 16, 16}, Request{kSizeMax - 31, 1}, Request{kSizeMax - 4096, 1}, Request{top_bit, 1},
        Request{top_bit - 1, 1}, Request{Tlsf<>::max_block, 1}, Request{Tlsf<>::max_block - 16, 1},
        Request{Tlsf<>::max_block - 17, 1}, Request{std::size_t{1} << 40, 1}, Request{64 << 10, 1},
        Request{stats.largest_free + 1, 1}, Request{1, top_bit}, Request{0, top_bit}, Request{kSizeMax, top_bit},
        Request{1, top_bit / 2}, Request{1, std::size_t{1} << 48}, Request{1, std::size_t{1} << 47},
        Request{stats.largest_free + 1, 4096}, Request{stats.largest_free + 1, 32}}) {
    CAPTURE(request.size);
    CAPTURE(request.align);
    CHECK(tlsf.allocate(request.size, request.align).error() == Error::out_of_memory);
    CHECK(tlsf.stats() == stats);
  }
  for (unsigned char byte : std::span(static_cast<unsigned char*>(block.value()), 16)) CHECK(byte == 0x77);
  REQUIRE(tlsf.deallocate(block.value()).ok());
  CHECK(tlsf.stats().bytes_in_use == 0);
  auto all = tlsf.allocate(largest(64 << 10), 1);
  REQUIRE(all.ok());
  CHECK(all.value() == arena.begin + 32);
}

TEST_CASE("debug off: double free and foreign pointers are error values and corrupt nothing") {
  Arena arena(16 << 10, 1);  // skewed, so arena.begin - 1 is still a valid pointer
  Tlsf<> tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  auto a = tlsf.allocate(100, 16), b = tlsf.allocate(200, 16), c = tlsf.allocate(300, 16), d = tlsf.allocate(50, 16);
  REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
  std::memset(b.value(), 0x66, 200);
  std::memset(c.value(), 0x99, 300);

  REQUIRE(tlsf.deallocate(a.value()).ok());
  auto stats = tlsf.stats();
  CHECK(tlsf.deallocate(a.value()).error() == Error::double_free);  // still a free block of its own
  CHECK(tlsf.stats() == stats);
  REQUIRE(tlsf.deallocate(b.value()).ok());                         // merged into a's block
  stats = tlsf.stats();
  CHECK(tlsf.deallocate(b.value()).error() == Error::double_free);  // its stale header remembers
  CHECK(tlsf.deallocate(a.value()).error() == Error::double_free);
  REQUIRE(tlsf.deallocate(d.value()).ok());                         // merged with the rest of the region
  CHECK(tlsf.deallocate(d.value()).error() == Error::double_free);
  stats = tlsf.stats();

  int elsewhere = 0;
  auto* cp = static_cast<std::byte*>(c.value());
  for (void* p : {static_cast<void*>(&elsewhere), static_cast<void*>(arena.begin - 1),
                  static_cast<void*>(arena.begin), static_cast<void*>(arena.end), static_cast<void*>(cp + 1),
                  static_cast<void*>(cp + 16), static_cast<void*>(cp + 48), static_cast<void*>(cp - 16),
                  static_cast<void*>(arena.begin + 8000)}) {
    CAPTURE(p);
    CHECK(tlsf.deallocate(p).error() == Error::not_owned);
    CHECK(tlsf.reallocate(p, 10).error() == Error::not_owned);
  }
  CHECK(tlsf.reallocate(b.value(), 10).error() == Error::double_free);
  CHECK(tlsf.stats() == stats);
  for (std::size_t i = 0; i < 300; ++i) REQUIRE(cp[i] == std::byte{0x99});
  REQUIRE(tlsf.deallocate(c.value()).ok());
  CHECK(tlsf.stats().bytes_in_use == 0);
  const std::size_t whole = ((16 << 10) - 15) / 16 * 16 - kOverhead;  // skewed by 1: 15 bytes skipped
  CHECK(tlsf.stats().bytes_free == whole);
  CHECK(tlsf.stats().largest_free == whole - kHeader);
  tessera::test::run_shadow_model(tlsf, arena.region(), {.seed = 99, .operations = 3000});  // still sound
}

TEST_CASE("debug on: misuse is reported with the allocator, the operation, the address and the problem") {
  Arena arena(16 << 10);
  Debug tlsf;
  REQUIRE(tlsf.add_region(arena.region()).ok());
  auto a = tlsf.allocate(100, 16), b = tlsf.allocate(200, 16), c = tlsf.allocate(300, 16), d = tlsf.allocate(40, 16);
  REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));

  SUBCASE("double free, before and after merging") {
    REQUIRE(tlsf.deallocate(a.value()).ok());
    auto m = misuse_of([&] { (void)tlsf.deallocate(a.value()); });
    CHECK(m.allocator == "alloc::Tlsf");
    CHECK(m.operation == "deallocate");
    CHECK(m.address == a.value());
    CHECK(m.problem == "double free");
    REQUIRE(tlsf.deallocate(b.value()).ok());
    CHECK(misuse_of([&] { (void)tlsf.deallocate(b.value()); }).problem == "double free");
    CHECK_THROWS_AS((void)tlsf.deallocate(a.value()), MisuseDetected);
    auto r = misuse_of([&] { (void)tlsf.reallocate(b.value(), 10); });
    CHECK(r.operation == "reallocate");
    CHECK(r.problem == "double free");
  }
  SUBCASE("pointers it does not own") {
    int elsewhere = 0;
    auto m = misuse_of([&] { (void)tlsf.deallocate(&elsewhere); });
    CHECK(m.problem.find("not owned") != std::string::npos);
    CHECK(m.address == &elsewhere);
    CHECK_THROWS_AS((void)tlsf.deallocate(arena.end), MisuseDetected);
    CHECK_THROWS_AS((void)tlsf.deallocate(arena.begin), MisuseDetected);
    CHECK_THROWS_AS((void)tlsf.deallocate(static_cast<std::byte*>(c.value()) + 1), MisuseDetected);
    CHECK_THROWS_AS((void)tlsf.deallocate(static_cast<std::byte*>(c.value()) + 32), MisuseDetected);
    CHECK_THROWS_AS((void)tlsf.reallocate(static_cast<std::byte*>(c.value()) + 64, 8), MisuseDetected);
    CHECK(tlsf.deallocate(nullptr).ok());
  }
  SUBCASE("a corrupted header: the block's own size") {
    auto* header = static_cast<std::byte*>(b.value()) - 8;
    std::memset(header, 0x5c, 8);  // an overflow out of a's payload would do this
    auto m = misuse_of([&] { (void)tlsf.deallocate(b.value()); });
    CHECK(m.problem.find("corrupted") != std::string::npos);
  }
  SUBCASE("a corrupted header: the next block's flags") {
    auto* next_size = static_cast<std::byte*>(c.value()) - 8;
    const std::uint64_t garbage = 0x0123456789abcdefu;
    std::memcpy(next_size, &garbage, 8);  // size garbage, "free" and "prev free" bits set
    CHECK(misuse_of([&] { (void)tlsf.deallocate(b.value()); }).problem == "corrupted header");
  }
  SUBCASE("a corrupted free block is caught when it is handed out") {
    REQUIRE(tlsf.deallocate(b.value()).ok());
    std::memset(b.value(), 0xff, 16);  // use after free: the free-list links
    std::memset(static_cast<std::byte*>(b.value()) - 8, 0xff, 8);
    auto m = misuse_of([&] { (void)tlsf.allocate(200, 16); });
    CHECK(m.operation == "allocate");
    CHECK(m.problem == "corrupted header");
  }
  SUBCASE("a write into a freed block (its list links) is caught when a neighbour is freed") {
    REQUIRE(tlsf.deallocate(b.value()).ok());  // a free block of its own, between a and c
    std::memset(b.value(), 0x41, 16);           // use after free
    CHECK(misuse_of([&] { (void)tlsf.deallocate(a.value()); }).problem == "corrupted header");
    CHECK(misuse_of([&] { (void)tlsf.deallocate(c.value()); }).problem == "corrupted header");
  }
  SUBCASE("correct use reports nothing") {
    for (void* p : {b.value(), d.value(), a.value(), c.value()}) CHECK(tlsf.deallocate(p).ok());
    CHECK(tlsf.stats().largest_free == largest(16 << 10));
  }
}

TEST_CASE("seeded random workloads agree with the shadow model") {
  struct Mix {
    const char* name;
    std::size_t min_size, max_size, max_align_log2;
    int free_percent;
    std::size_t arena;
  };
  for (const Mix& mix : {Mix{"small", 0, 256, 4, 45, 256 << 10}, Mix{"medium", 16, 4096, 6, 45, 1 << 20},
                         Mix{"large", 1000, 200000, 4, 50, 4 << 20}, Mix{"mixed", 0, 60000, 8, 40, 2 << 20},
                         Mix{"aligned", 0, 5000, 12, 45, 2 << 20}, Mix{"tight", 0, 3000, 6, 30, 64 << 10}}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      CAPTURE(mix.name);
      CAPTURE(seed);
      Arena arena(mix.arena, seed * 3 % 16);
      Tlsf<> tlsf;
      REQUIRE(tlsf.add_region(arena.region()).ok());
      tessera::test::run_shadow_model(tlsf, arena.region(),
                                      {.seed = seed * 7919 + mix.max_size,
                                       .operations = 8000,
                                       .min_size = mix.min_size,
                                       .max_size = mix.max_size,
                                       .max_align_log2 = mix.max_align_log2,
                                       .free_percent = mix.free_percent});
      CHECK(tlsf.stats().bytes_in_use == 0);
      check_largest_free_is_exact(tlsf);
    }
  }
}

TEST_CASE("seeded random workloads with .debug on and over two regions agree with the shadow model") {
  {
    Arena one(300 << 10), two(200 << 10, 7);
    Debug tlsf;
    REQUIRE(tlsf.add_region(one.region()).ok());
    REQUIRE(tlsf.add_region(two.region()).ok());
    // The model checks bounds against one span: hand it the span of both arenas' storage.
    const MemoryRegion span = address(one.begin) < address(two.begin) ? MemoryRegion{one.begin, two.end}
                                                                      : MemoryRegion{two.begin, one.end};
    for (std::uint64_t seed = 11; seed <= 13; ++seed)
      tessera::test::run_shadow_model(tlsf, span, {.seed = seed, .operations = 8000, .max_size = 20000});
  }
}

TEST_CASE("adding a 1 GiB region touches a few header words and takes microseconds") {
  constexpr std::size_t kSize = std::size_t{1} << 30;
  void* memory = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(memory != MAP_FAILED);
  auto* begin = static_cast<std::byte*>(memory);
  Tlsf<> tlsf;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(tlsf.add_region({begin, begin + kSize}).ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(tlsf.stats().bytes_free == managed(kSize));
  CHECK(elapsed < std::chrono::milliseconds(1));  // ~100 ns in practice; generous for sanitizers and load

  const long page = sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> resident(kSize / static_cast<std::size_t>(page));
  REQUIRE(mincore(memory, kSize, resident.data()) == 0);
  std::size_t touched = 0;
  for (unsigned char r : resident) touched += r & 1;
  CHECK(touched <= 2);  // the first page (record, first header) and the last (end marker)

  auto block = tlsf.allocate(100, 16);
  REQUIRE(block.ok());
  REQUIRE(tlsf.deallocate(block.value()).ok());
  CHECK(tlsf.stats().largest_free == largest(kSize));
  munmap(memory, kSize);
}

// The same allocator in constant evaluation: any undefined behaviour or out-of-bounds access
// is a compile error. A seeded script allocates, reallocates and frees over a local arena,
// finds each block in the arena by comparing addresses (C++20 cannot cast void* back), fills
// it and checks the fill, alignment and no overlap; misuse must give error values; at the end
// every byte is back. Alignment is relative to the arena's start there (aligned to 4096 so the
// script means the same at run time).
namespace {

constexpr std::size_t kScriptArena = 3072;

using Script = tessera::test::ScriptArena<kScriptArena, 16>;  // payloads are 16-byte aligned

// What the script asks of alloc::Tlsf (tests/unit/alloc/script_arena.hpp).
constexpr tessera::test::ScriptShape kShape{.allocate_below = 45, .free_below = 80, .big_one_in = 4, .big_max = 600,
                                             .small_max = 90, .align_bits = 8, .realloc_max = 300, .realloc_align = 16};

constexpr bool tlsf_script(std::uint64_t seed, bool debug_checks) {
  Script script(seed);
  std::byte* arena = script.bytes;
  std::byte elsewhere{};
  Tlsf<> tlsf;
  if (tlsf.add_region({arena, arena + 1024}).error() != Error{}) return false;
  if (tlsf.add_region({arena + 1024 + 8, arena + kScriptArena}).error() != Error{}) return false;  // a second region
  const auto initial = tlsf.stats();
  if (initial.bytes_free != managed(1024) + managed(kScriptArena - 1024 - 16)) return false;

  ScriptBlock* live = script.live;
  std::size_t& count = script.count;

  for (int step = 0; step < 160; ++step) {
    const ScriptStep outcome = script.step(tlsf, kShape, debug_checks, as_asked, any_out_of_memory);
    if (outcome == ScriptStep::failed) return false;
    if (outcome == ScriptStep::other && debug_checks) {  // misuse, in the steps that did nothing else
      if (tlsf.deallocate(&elsewhere).error() != Error::not_owned) return false;
      if (tlsf.deallocate(arena + 1024 + 4).error() != Error::not_owned) return false;  // between regions
      if (count > 0 && tlsf.deallocate(arena + live[0].offset + 1).error() != Error::not_owned) return false;
      if (tlsf.allocate(1, 24).error() != Error::invalid_argument) return false;
      if (tlsf.allocate(kSizeMax, 1).error() != Error::out_of_memory) return false;
      if (tlsf.allocate(1, kSizeMax / 2 + 1).error() != Error::out_of_memory) return false;
    }
    const auto s = tlsf.stats();
    if (s.bytes_in_use + s.bytes_free != initial.bytes_free || s.peak_in_use < s.bytes_in_use) return false;
  }
  if (!script.free_all(tlsf)) return false;
  const auto final = tlsf.stats();
  if (final.bytes_in_use != 0 || final.bytes_free != initial.bytes_free || final.largest_free != initial.largest_free)
    return false;
  // Both regions are whole again.
  auto big = tlsf.allocate(initial.largest_free, 16);
  auto small = tlsf.allocate(largest(1024), 16);
  return big.ok() && small.ok() && script.offset_of(small.value()) == 32 &&
         script.offset_of(big.value()) == 1024 + 16 + 32;
}

static_assert(tlsf_script(1, true), "alloc::Tlsf seeded script in constant evaluation (seed 1)");
static_assert(tlsf_script(2, false), "alloc::Tlsf seeded script in constant evaluation (seed 2)");
static_assert(tlsf_script(3, true), "alloc::Tlsf seeded script in constant evaluation (seed 3)");

// A statically allocated Tlsf is constant-initialised (no guard, no constructor at run time).
constinit Tlsf<> static_instance;

}  // namespace

TEST_CASE("the constant-evaluation script also passes at run time") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    CHECK(tlsf_script(seed, seed % 2 == 1));
  }
  CHECK(static_instance.stats() == AllocatorStats{});
}
