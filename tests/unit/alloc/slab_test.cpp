// alloc::Slab (include/tessera/alloc/slab.hpp): size classes and their alignment, slabs filled
// and given back, large blocks straight from the backing allocator, exhaustion and recovery,
// zero size, several regions, reallocate, overflow, misuse (reported with .debug, error values
// without), seeded random workloads against the shadow model, and seeded scripts inside
// static_assert.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <tessera/alloc/region.hpp>
#include <tessera/alloc/slab.hpp>

#include "alloc/arena.hpp"
#include "alloc/script_arena.hpp"
#include "alloc/shadow_model.hpp"
#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::MemoryRegion;
using tessera::alloc::Buddy;
using tessera::alloc::Slab;
using tessera::api::AllocatorStats;
using tessera::test::MisuseDetected;
using tessera::test::ScriptBlock;
using tessera::test::ScriptStep;
using tessera::test::any_out_of_memory;
using tessera::test::as_asked;
using tessera::test::address;
using tessera::test::misuse_of;

using Debug = Slab<{.debug = true}>;

constexpr std::size_t kSizeMax = static_cast<std::size_t>(-1);
constexpr std::size_t kSlab = Slab<>::slab_bytes;  // 8 KiB
constexpr std::size_t kPage = 4096;
constexpr std::size_t kClasses[] = {16, 32, 64, 128, 256, 512, 1024, 2048};
// Objects per 8 KiB slab: the 32-byte header comes first, then objects naturally aligned (to the
// largest power of two dividing the class size).
constexpr std::size_t kFirst[] = {32, 32, 64, 128, 256, 512, 1024, 2048};
constexpr std::size_t kCapacity[] = {510, 255, 127, 63, 31, 15, 7, 3};

std::byte* bytes(void* p) { return static_cast<std::byte*>(p); }

// The class a request should land in: the smallest at least `size` bytes whose objects are aligned to `align`.
std::size_t class_for(std::size_t size, std::size_t align) {
  for (std::size_t c : kClasses)
    if (c >= size && (c & (~c + 1)) >= align) return c;
  return 0;  // large
}

// Heap memory of exactly `size` bytes, `skew` bytes past an `align`-aligned start.
struct Arena : tessera::test::HeapArena {
  explicit Arena(std::size_t size, std::size_t align = kSlab, std::size_t skew = 0) : HeapArena(size, align, skew) {}
};

}  // namespace

TEST_CASE("small requests: the class, its alignment, one slab per class, and the statistics") {
  Arena arena(1 << 20);
  Slab<> slab;
  CHECK(slab.stats() == AllocatorStats{});
  CHECK(slab.allocate(8, 8).error() == Error::out_of_memory);  // no memory yet
  REQUIRE(slab.add_region(arena.region()).ok());
  const auto initial = slab.stats();
  const auto backing = slab.backing().stats();
  CHECK(initial.bytes_free == backing.bytes_free);
  CHECK(initial.largest_free == backing.largest_free - Slab<>::large_header);

  std::size_t in_use = 0;
  std::vector<void*> live;
  std::set<std::uintptr_t> frames;
  std::size_t per_class[8] = {};
  for (std::size_t size = 0; size <= 2048; size += size < 64 ? 1 : 61) {
    for (std::size_t align : {1, 2, 8, 16}) {
      CAPTURE(size);
      CAPTURE(align);
      auto object = slab.allocate(size, align);
      REQUIRE(object.ok());
      const std::size_t c = class_for(size, align);
      CHECK(address(object.value()) % (c & (~c + 1)) == 0);
      CHECK(arena.contains(object.value(), c));
      in_use += c;
      ++per_class[std::find(std::begin(kClasses), std::end(kClasses), c) - std::begin(kClasses)];
      CHECK(slab.stats().bytes_in_use == in_use);
      std::memset(object.value(), 0x5a, size);
      frames.insert(address(object.value()) & ~(kSlab - 1));
      live.push_back(object.value());
    }
  }
  std::size_t slabs = 0;  // as few as the classes' capacities allow
  for (std::size_t i = 0; i < 8; ++i) slabs += (per_class[i] + kCapacity[i] - 1) / kCapacity[i];
  CHECK(frames.size() == slabs);
  CHECK(slab.backing().stats().bytes_in_use == frames.size() * kSlab);
  CHECK(slab.stats().peak_in_use == in_use);
  for (void* p : live) REQUIRE(slab.deallocate(p).ok());
  const auto after = slab.stats();
  CHECK(after.bytes_in_use == 0);
  CHECK(after.bytes_free == initial.bytes_free);
  CHECK(after.largest_free == initial.largest_free);
  CHECK(slab.backing().stats().bytes_in_use == 0);  // every slab went back
}

TEST_CASE("a slab holds `capacity` objects in address order; full slabs make room for new ones") {
  Arena arena(1 << 20);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(kClasses[i]);
    std::vector<void*> objects;
    for (std::size_t n = 0; n < kCapacity[i] + 1; ++n) {
      auto object = slab.allocate(kClasses[i], 1);
      REQUIRE(object.ok());
      objects.push_back(object.value());
    }
    const std::uintptr_t frame = address(objects[0]) & ~(kSlab - 1);
    for (std::size_t n = 0; n < kCapacity[i]; ++n) {
      REQUIRE((address(objects[n]) & ~(kSlab - 1)) == frame);
      REQUIRE(address(objects[n]) == address(objects[0]) + n * kClasses[i]);
    }
    CHECK(address(objects[0]) - frame == kFirst[i]);
    CHECK((address(objects.back()) & ~(kSlab - 1)) != frame);  // the next one came from a new slab
    CHECK(slab.backing().stats().bytes_in_use == 2 * kSlab);
    for (void* p : objects) REQUIRE(slab.deallocate(p).ok());
    CHECK(slab.backing().stats().bytes_in_use == 0);
  }
}

TEST_CASE("empty slabs serve their class again, and go back when nothing is in use, on trim() and under pressure") {
  std::vector<void*> objects;
  SUBCASE("kept for reuse while something is in use; trim() gives them back") {
    Arena arena(1 << 20);
    Slab<> slab;
    REQUIRE(slab.add_region(arena.region()).ok());
    const auto initial = slab.stats();
    auto pin = slab.allocate(16, 16);  // something else stays in use throughout
    REQUIRE(pin.ok());
    for (std::size_t n = 0; n < 4 * 127; ++n) objects.push_back(slab.allocate(64, 64).value());
    CHECK(slab.backing().stats().bytes_in_use == 5 * kSlab);
    CHECK(slab.slabs_of(64) == 4);
    std::mt19937_64 random(5);
    std::shuffle(objects.begin(), objects.end(), random);
    for (void* p : objects) REQUIRE(slab.deallocate(p).ok());
    CHECK(slab.backing().stats().bytes_in_use == 5 * kSlab);  // held for the next 64-byte objects
    CHECK(slab.stats().bytes_free == initial.bytes_free - 5 * kSlab + 4 * 127 * 64 + 509 * 16);
    for (void*& p : objects) p = slab.allocate(64, 64).value();  // no call to the backing allocator
    CHECK(slab.backing().stats().bytes_in_use == 5 * kSlab);
    for (std::size_t i = 0; i < objects.size(); i += 2) REQUIRE(slab.deallocate(objects[i]).ok());
    CHECK_FALSE(slab.trim());  // every slab still has objects in use
    for (std::size_t i = 1; i < objects.size(); i += 2) REQUIRE(slab.deallocate(objects[i]).ok());
    CHECK(slab.trim());
    CHECK(slab.slabs_of(64) == 0);
    CHECK(slab.backing().stats().bytes_in_use == kSlab);
    REQUIRE(slab.deallocate(pin.value()).ok());
    CHECK(slab.backing().stats().bytes_in_use == 0);
    CHECK(slab.stats().bytes_free == initial.bytes_free);
    CHECK(slab.stats().largest_free == initial.largest_free);
  }
  SUBCASE("all slabs go back by themselves when the last object is freed") {
    Arena arena(1 << 20);
    Slab<> slab;
    REQUIRE(slab.add_region(arena.region()).ok());
    for (std::size_t n = 0; n < 3 * 127; ++n) objects.push_back(slab.allocate(64, 64).value());
    auto other = slab.allocate(300, 16);
    REQUIRE(other.ok());
    for (void* p : objects) REQUIRE(slab.deallocate(p).ok());
    CHECK(slab.backing().stats().bytes_in_use == 4 * kSlab);
    REQUIRE(slab.deallocate(other.value()).ok());
    CHECK(slab.backing().stats().bytes_in_use == 0);
  }
  SUBCASE("when the backing allocator runs out, the request sweeps the empty slabs back and succeeds") {
    Arena arena(64 << 10, 64 << 10);  // the backing Buddy: room for 7 slabs
    Slab<> slab;
    REQUIRE(slab.add_region(arena.region()).ok());
    auto pin = slab.allocate(16, 16);
    REQUIRE(pin.ok());
    for (;;) {
      auto object = slab.allocate(64, 8);
      if (!object) break;
      objects.push_back(object.value());
    }
    CHECK(objects.size() == 6 * 127);
    // Pages 2..3 hold pin's slab, 4..15 the six slabs of 64-byte objects; the first of those
    // keeps an object in use, the other five are emptied.
    for (std::size_t i = 1; i < objects.size(); ++i) REQUIRE(slab.deallocate(objects[i]).ok());
    CHECK(slab.slabs_of(64) == 6);
    CHECK(slab.stats().largest_free == 64);  // what it can serve without a sweep
    auto small = slab.allocate(32, 16);  // a new slab for 32-byte objects: the empty ones go back first
    REQUIRE(small.ok());
    CHECK(slab.slabs_of(64) == 1);
    CHECK(slab.slabs_of(32) == 1);
    CHECK((address(small.value()) >> 12) == (address(arena.begin + 6 * kPage) >> 12));  // pages 6..7
    auto large = slab.allocate(3 * kSlab, 16);  // a 32 KiB block: pages 8..15
    REQUIRE(large.ok());
    std::memset(large.value(), 0x44, 3 * kSlab);
    CHECK(slab.allocate(32 * 1024, 16).error() == Error::out_of_memory);
    REQUIRE(slab.deallocate(large.value()).ok());
    std::vector<void*> more;  // 64-byte objects fill what is left: 126 in the first slab, 4 new slabs
    for (;;) {
      auto object = slab.allocate(64, 8);
      if (!object) break;
      more.push_back(object.value());
    }
    CHECK(more.size() == 126 + 4 * 127);
    REQUIRE(slab.deallocate(more[0]).ok());
    REQUIRE(slab.deallocate(more[1]).ok());  // free objects but no empty slab: a sweep finds nothing
    CHECK(slab.allocate(3 * kSlab, 16).error() == Error::out_of_memory);
    auto sixteen = slab.allocate(16, 16);  // pin's slab has room
    REQUIRE(sixteen.ok());
    REQUIRE(slab.deallocate(sixteen.value()).ok());
    large = slab.allocate(64, 16);
    REQUIRE(large.ok());
    for (std::size_t i = 2; i < more.size(); ++i) REQUIRE(slab.deallocate(more[i]).ok());
    for (void* p : {large.value(), small.value(), objects[0], pin.value()}) REQUIRE(slab.deallocate(p).ok());
    CHECK(slab.backing().stats().bytes_in_use == 0);
  }
}

TEST_CASE("alignment: classes whose objects are aligned enough, else large blocks") {
  Arena arena(8 << 20);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  const auto initial = slab.stats();
  std::vector<void*> live;
  std::size_t in_use = 0;
  for (std::size_t align = 1; align <= (std::size_t{1} << 16); align *= 2) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{48}, std::size_t{100}, std::size_t{1500},
                             std::size_t{2048}, std::size_t{2049}, std::size_t{5000}}) {
      CAPTURE(align);
      CAPTURE(size);
      auto object = slab.allocate(size, align);
      REQUIRE(object.ok());
      CHECK(address(object.value()) % align == 0);
      CHECK(arena.contains(object.value(), size));
      const std::size_t c = class_for(size, align);
      const std::size_t offset = align > Slab<>::large_header ? align : Slab<>::large_header;
      in_use += c != 0 ? c : offset + size;
      CHECK(slab.stats().bytes_in_use == in_use);
      std::memset(object.value(), 0x7e, size);
      live.push_back(object.value());
    }
  }
  for (void* p : live) REQUIRE(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_in_use == 0);
  CHECK(slab.stats().bytes_free == initial.bytes_free);
  CHECK(slab.stats().largest_free == initial.largest_free);
}

TEST_CASE("large requests go straight to the backing allocator behind a 64-byte header") {
  Arena arena(1 << 20);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto a = slab.allocate(2049, 16), b = slab.allocate(100000, 8), c = slab.allocate(8192 - 64, 1);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  for (void* p : {a.value(), b.value(), c.value()}) CHECK(address(p) % kSlab == 64);
  CHECK(slab.backing().stats().bytes_in_use == kSlab + 128 * 1024 + kSlab);
  CHECK(slab.stats().bytes_in_use == 64 * 3 + 2049 + 100000 + 8192 - 64);
  std::memset(b.value(), 0x42, 100000);
  REQUIRE(slab.deallocate(a.value()).ok());
  REQUIRE(slab.deallocate(b.value()).ok());
  REQUIRE(slab.deallocate(c.value()).ok());
  CHECK(slab.backing().stats().bytes_in_use == 0);
  CHECK(slab.stats().bytes_in_use == 0);
}

TEST_CASE("an alignment that is not a power of two is invalid_argument") {
  Arena arena(256 << 10);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  const auto stats = slab.stats();
  for (std::size_t align : {std::size_t{0}, std::size_t{3}, std::size_t{12}, std::size_t{24}, std::size_t{4095},
                            kSizeMax}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{16}, std::size_t{5000}}) {
      CAPTURE(align);
      CAPTURE(size);
      CHECK(slab.allocate(size, align).error() == Error::invalid_argument);
    }
  }
  CHECK(slab.stats() == stats);
}

TEST_CASE("impossible sizes and alignments are out_of_memory and corrupt nothing") {
  Arena arena(256 << 10);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto object = slab.allocate(64, 16);
  REQUIRE(object.ok());
  const auto stats = slab.stats();
  const std::size_t top_bit = kSizeMax / 2 + 1;
  struct Request {
    std::size_t size, align;
  };
  for (const Request& r : {Request{kSizeMax, 1}, Request{kSizeMax, 16}, Request{kSizeMax - 63, 1},
                           Request{kSizeMax - 64, 1}, Request{kSizeMax - kSlab, 1}, Request{kSizeMax - 7, 4096},
                           Request{1, top_bit}, Request{0, top_bit}, Request{kSizeMax, top_bit},
                           Request{1, std::size_t{1} << 40}, Request{Buddy<>::max_block, 1},
                           Request{256 << 10, 1}}) {
    CAPTURE(r.size);
    CAPTURE(r.align);
    CHECK(slab.allocate(r.size, r.align).error() == Error::out_of_memory);
    if (r.size > 64) CHECK(slab.reallocate(object.value(), r.size).error() == Error::out_of_memory);
    CHECK(slab.stats() == stats);
  }
  REQUIRE(slab.deallocate(object.value()).ok());
  CHECK(slab.stats().bytes_in_use == 0);
}

TEST_CASE("exhaustion returns out_of_memory and the allocator recovers") {
  Arena arena(64 << 10, 64 << 10);  // the backing Buddy: page 0 metadata, 7 slabs at pages 2..15
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  const auto initial = slab.stats();
  CHECK(initial.bytes_free == 15 * kPage);
  CHECK(initial.largest_free == 8 * kPage - 64);

  std::vector<void*> objects;
  for (;;) {
    auto object = slab.allocate(64, 8);
    if (!object) {
      CHECK(object.error() == Error::out_of_memory);
      break;
    }
    objects.push_back(object.value());
  }
  CHECK(objects.size() == 7 * 127);
  CHECK(slab.stats().bytes_free == kPage);  // page 1, too small for a slab
  CHECK(slab.stats().largest_free == 0);
  CHECK(slab.allocate(16, 8).error() == Error::out_of_memory);  // another class needs a slab of its own
  CHECK(slab.allocate(3000, 8).error() == Error::out_of_memory);

  // Freeing one object makes room for exactly one.
  void* back = objects[300];
  REQUIRE(slab.deallocate(back).ok());
  CHECK(slab.stats().largest_free == 64);
  auto again = slab.allocate(50, 1);
  REQUIRE(again.ok());
  CHECK(again.value() == back);
  CHECK(slab.allocate(64, 8).error() == Error::out_of_memory);

  for (void* p : objects) REQUIRE(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_in_use == 0);
  CHECK(slab.stats().bytes_free == initial.bytes_free);
  CHECK(slab.stats().largest_free == initial.largest_free);

  std::vector<void*> large;
  for (;;) {
    auto block = slab.allocate(5000, 8);
    if (!block) break;
    std::memset(block.value(), 0x33, 5000);
    large.push_back(block.value());
  }
  CHECK(large.size() == 7);
  for (void* p : large) REQUIRE(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_free == initial.bytes_free);
  CHECK(slab.stats().largest_free == initial.largest_free);
}

TEST_CASE("zero-size requests return distinct, freeable pointers") {
  Arena arena(64 << 10);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto a = slab.allocate(0, 1), b = slab.allocate(0, 1), c = slab.allocate(0, 16);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a.value() != b.value());
  CHECK(b.value() != c.value());
  CHECK(a.value() != c.value());
  CHECK(slab.stats().bytes_in_use == 3 * 16);
  for (void* p : {a.value(), b.value(), c.value()}) CHECK(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_in_use == 0);
}

TEST_CASE("several regions: all are used, pointers between them are not owned, every byte comes back") {
  Arena one(64 << 10), two(256 << 10, 64, 100), three(1 << 20), other(64 << 10);
  Slab<> slab;
  for (const Arena* a : {&one, &two, &three}) REQUIRE(slab.add_region(a->region()).ok());
  const auto initial = slab.stats();
  std::vector<void*> live;
  std::size_t in[3] = {};
  for (int i = 0;; ++i) {
    auto block = i % 50 == 49 ? slab.allocate(6000, 16) : slab.allocate(64, 16);
    if (!block) break;
    live.push_back(block.value());
    int owners = 0;
    for (int k = 0; const Arena* a : {&one, &two, &three}) {
      if (a->contains(block.value(), 64)) {
        ++owners;
        ++in[k];
      }
      ++k;
    }
    REQUIRE(owners == 1);
  }
  for (std::size_t k = 0; k < 3; ++k) CHECK(in[k] > 0);
  const auto full = slab.stats();
  CHECK(slab.deallocate(other.begin + 64).error() == Error::not_owned);  // wherever the heap put it
  CHECK(slab.deallocate(other.begin + kSlab / 2).error() == Error::not_owned);
  CHECK(slab.stats() == full);
  std::mt19937_64 random(9);
  std::shuffle(live.begin(), live.end(), random);
  for (void* p : live) REQUIRE(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_in_use == 0);
  CHECK(slab.stats().bytes_free == initial.bytes_free);
  CHECK(slab.stats().largest_free == initial.largest_free);
}

TEST_CASE("reallocate: in place while it fits, otherwise moved with the contents") {
  Arena arena(1 << 20);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto a = slab.allocate(40, 16);  // class 64
  REQUIRE(a.ok());
  std::memset(a.value(), 0x21, 40);
  CHECK(slab.reallocate(a.value(), 64).value() == a.value());
  CHECK(slab.reallocate(a.value(), 1).value() == a.value());
  auto b = slab.reallocate(a.value(), 65);  // class 128
  REQUIRE(b.ok());
  CHECK(b.value() != a.value());
  for (std::size_t i = 0; i < 40; ++i) REQUIRE(bytes(b.value())[i] == std::byte{0x21});
  CHECK(slab.deallocate(a.value()).error() == Error::double_free);  // the old object was freed
  std::memset(b.value(), 0x22, 128);
  auto c = slab.reallocate(b.value(), 3000);  // large
  REQUIRE(c.ok());
  for (std::size_t i = 0; i < 128; ++i) REQUIRE(bytes(c.value())[i] == std::byte{0x22});
  CHECK(slab.reallocate(c.value(), 2000).value() == c.value());
  CHECK(slab.reallocate(c.value(), 3000).value() == c.value());
  std::memset(c.value(), 0x23, 3000);
  auto e = slab.reallocate(nullptr, 10);
  REQUIRE(e.ok());
  auto d = slab.reallocate(c.value(), 20000);  // a bigger large block
  REQUIRE(d.ok());
  for (std::size_t i = 0; i < 3000; ++i) REQUIRE(bytes(d.value())[i] == std::byte{0x23});
  CHECK(slab.reallocate(bytes(d.value()) + 16, 10).error() == Error::not_owned);
  CHECK(slab.reallocate(c.value(), 10).error() == Error::double_free);
  CHECK(slab.stats().bytes_in_use == 64 + 20000 + 16);
  REQUIRE(slab.deallocate(d.value()).ok());
  REQUIRE(slab.deallocate(e.value()).ok());
  CHECK(slab.backing().stats().bytes_in_use == 0);
}

TEST_CASE("debug off: double free and foreign pointers are error values and corrupt nothing") {
  Arena arena(512 << 10, 512 << 10);
  Slab<> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  std::vector<void*> sixty_fours;
  for (int i = 0; i < 200; ++i) sixty_fours.push_back(slab.allocate(64, 64).value());  // a full slab and part of one
  auto small = slab.allocate(16, 16), large = slab.allocate(10000, 16), gone = slab.allocate(512, 16);
  REQUIRE((small.ok() && large.ok() && gone.ok()));
  std::memset(large.value(), 0x99, 10000);

  void* in_active = sixty_fours[150];  // in the active slab
  void* in_full = sixty_fours[10];     // in the full one (which then goes onto the partial list)
  REQUIRE(slab.deallocate(in_active).ok());
  REQUIRE(slab.deallocate(in_full).ok());
  REQUIRE(slab.deallocate(large.value()).ok());
  REQUIRE(slab.deallocate(gone.value()).ok());
  CHECK(slab.trim());  // gone's slab goes back to Buddy
  auto stats = slab.stats();
  CHECK(slab.deallocate(in_active).error() == Error::double_free);
  CHECK(slab.deallocate(in_full).error() == Error::double_free);
  CHECK(slab.deallocate(large.value()).error() == Error::double_free);
  CHECK(slab.deallocate(gone.value()).error() == Error::double_free);
  CHECK(slab.reallocate(in_full, 8).error() == Error::double_free);
  CHECK(slab.stats() == stats);

  int elsewhere = 0;
  auto* sp = bytes(small.value());
  auto* op = bytes(sixty_fours[20]);
  for (void* p : {static_cast<void*>(&elsewhere), static_cast<void*>(arena.begin),
                  static_cast<void*>(arena.begin + 64), static_cast<void*>(arena.end), static_cast<void*>(arena.end - 16),
                  static_cast<void*>(sp + 1), static_cast<void*>(sp + 8), static_cast<void*>(op + 16),
                  static_cast<void*>(op + 32), static_cast<void*>(op - 8),
                  static_cast<void*>((bytes(sixty_fours[0])) - 16),  // the slab header
                  static_cast<void*>(bytes(sixty_fours[0]) + 127 * 64), static_cast<void*>(bytes(large.value()) + 64),
                  static_cast<void*>(bytes(large.value()) - 64), static_cast<void*>(bytes(large.value()) + 8192)}) {
    CAPTURE(p);
    CHECK(slab.deallocate(p).error() == Error::not_owned);
    CHECK(slab.reallocate(p, 10).error() == Error::not_owned);
  }
  CHECK(slab.stats() == stats);
  REQUIRE(slab.deallocate(small.value()).ok());
  for (void* p : sixty_fours)
    if (p != in_active && p != in_full) REQUIRE(slab.deallocate(p).ok());
  CHECK(slab.stats().bytes_in_use == 0);
  CHECK(slab.backing().stats().bytes_in_use == 0);
  tessera::test::run_shadow_model(slab, arena.region(), {.seed = 99, .operations = 3000, .max_size = 5000});  // still sound
}

// A slab's tag is the slab magic ^ the frame ^ the class index; deallocate takes any index below
// 16 (the most classes a Slab can have) as a class and relies on the object-index check, against
// an unused class's zero object count, to refuse the unused ones.
TEST_CASE("a slab header whose tag names an unused class is not owned, with or without .debug") {
  auto forge = [](void* object, std::size_t class_index) {
    const auto address = reinterpret_cast<std::uintptr_t>(object);
    auto* tag = reinterpret_cast<std::byte*>(((address - 1) & ~(kSlab - 1)) + 24);
    std::uint64_t word = 0;
    std::memcpy(&word, tag, 8);
    const std::uint64_t forged = word ^ 2 ^ class_index;  // a 64-byte object: class 2 of Slab<>'s eight
    std::memcpy(tag, &forged, 8);
    return [tag, word] { std::memcpy(tag, &word, 8); };
  };
  Arena arena(256 << 10, 256 << 10);
  SUBCASE("debug off") {
    Slab<> slab;
    REQUIRE(slab.add_region(arena.region()).ok());
    void* object = slab.allocate(64, 16).value();
    const auto stats = slab.stats();
    for (std::size_t unused : {8u, 9u, 15u}) {
      CAPTURE(unused);
      auto restore = forge(object, unused);
      CHECK(slab.deallocate(object).error() == Error::not_owned);
      restore();
    }
    CHECK(slab.stats() == stats);
    CHECK(slab.deallocate(object).ok());
    CHECK(slab.stats().bytes_in_use == 0);
  }
  SUBCASE("debug on") {
    Debug slab;
    REQUIRE(slab.add_region(arena.region()).ok());
    void* object = slab.allocate(64, 16).value();
    auto restore = forge(object, 12);
    CHECK(misuse_of([&] { (void)slab.deallocate(object); }).problem.find("not owned") != std::string::npos);
    restore();
    CHECK(slab.deallocate(object).ok());
  }
}

TEST_CASE("debug on: misuse is reported with the allocator, the operation, the address and the problem") {
  Arena arena(512 << 10, 512 << 10);
  Debug slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto a = slab.allocate(64, 16), b = slab.allocate(64, 16), large = slab.allocate(5000, 16);
  REQUIRE((a.ok() && b.ok() && large.ok()));

  SUBCASE("double free") {
    REQUIRE(slab.deallocate(a.value()).ok());
    auto m = misuse_of([&] { (void)slab.deallocate(a.value()); });
    CHECK(m.allocator == "alloc::Slab");
    CHECK(m.operation == "deallocate");
    CHECK(m.address == a.value());
    CHECK(m.problem == "double free");
    REQUIRE(slab.deallocate(large.value()).ok());
    CHECK(misuse_of([&] { (void)slab.deallocate(large.value()); }).problem == "double free");
    auto r = misuse_of([&] { (void)slab.reallocate(a.value(), 10); });
    CHECK(r.operation == "reallocate");
    CHECK(r.problem == "double free");
  }
  SUBCASE("pointers it does not own") {
    int elsewhere = 0;
    auto m = misuse_of([&] { (void)slab.deallocate(&elsewhere); });
    CHECK(m.problem == "not owned (outside every region)");
    CHECK(m.address == &elsewhere);
    CHECK_THROWS_AS((void)slab.deallocate(arena.end), MisuseDetected);
    CHECK_THROWS_AS((void)slab.deallocate(arena.begin), MisuseDetected);
    CHECK_THROWS_AS((void)slab.deallocate(bytes(a.value()) + 1), MisuseDetected);
    CHECK_THROWS_AS((void)slab.deallocate(bytes(large.value()) + 64), MisuseDetected);
    CHECK_THROWS_AS((void)slab.reallocate(bytes(b.value()) + 32, 8), MisuseDetected);
    CHECK(misuse_of([&] { (void)slab.deallocate(bytes(a.value()) + 16); }).problem ==
          "not owned (not the start of an object or block)");
    CHECK(slab.deallocate(nullptr).ok());
  }
  SUBCASE("a write into a freed object (its free-list link) is caught when it is handed out") {
    REQUIRE(slab.deallocate(a.value()).ok());
    std::memset(a.value(), 0x41, 8);  // use after free
    auto m = misuse_of([&] { (void)slab.allocate(64, 16); });
    CHECK(m.operation == "allocate");
    CHECK(m.problem == "corrupted free list");
  }
  SUBCASE("correct use reports nothing") {
    for (void* p : {b.value(), large.value(), a.value()}) CHECK(slab.deallocate(p).ok());
    CHECK(slab.stats().bytes_in_use == 0);
    CHECK(slab.backing().stats().bytes_in_use == 0);
  }
}

TEST_CASE("seeded random workloads agree with the shadow model") {
  struct Mix {
    const char* name;
    std::size_t min_size, max_size, max_align_log2;
    int free_percent;
    std::size_t arena;
  };
  for (const Mix& mix : {Mix{"small", 0, 256, 4, 45, 1 << 20}, Mix{"classes", 0, 2048, 6, 45, 2 << 20},
                         Mix{"medium", 16, 4096, 6, 45, 4 << 20}, Mix{"large", 1000, 100000, 4, 50, 16 << 20},
                         Mix{"aligned", 0, 3000, 14, 45, 8 << 20}, Mix{"tight", 0, 3000, 6, 30, 128 << 10}}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      CAPTURE(mix.name);
      CAPTURE(seed);
      Arena arena(mix.arena, kPage, seed * 3 % 16 * 64);
      Slab<> slab;
      REQUIRE(slab.add_region(arena.region()).ok());
      tessera::test::run_shadow_model(slab, arena.region(),
                                      {.seed = seed * 7919 + mix.max_size,
                                       .operations = 8000,
                                       .min_size = mix.min_size,
                                       .max_size = mix.max_size,
                                       .max_align_log2 = mix.max_align_log2,
                                       .free_percent = mix.free_percent});
      CHECK(slab.stats().bytes_in_use == 0);
      CHECK(slab.backing().stats().bytes_in_use == 0);
    }
  }
}

TEST_CASE("seeded random workloads with .debug on, other classes and over two regions agree with the shadow model") {
  Arena one(1 << 20, kPage, 0), two(3 << 20, kPage, 320);
  const MemoryRegion span = address(one.begin) < address(two.begin) ? MemoryRegion{one.begin, two.end}
                                                                    : MemoryRegion{two.begin, one.end};
  SUBCASE("debug") {
    Debug slab;
    REQUIRE(slab.add_region(one.region()).ok());
    REQUIRE(slab.add_region(two.region()).ok());
    for (std::uint64_t seed = 21; seed <= 24; ++seed)
      tessera::test::run_shadow_model(slab, span, {.seed = seed, .operations = 8000, .max_size = 6000});
  }
  SUBCASE("classes that are not powers of two, 16 KiB slabs") {
    Slab<{.debug = true, .sizes = {16, 48, 80, 96, 192, 336, 1008, 4000}, .slab_bytes = 16384}> slab;
    REQUIRE(slab.add_region(one.region()).ok());
    REQUIRE(slab.add_region(two.region()).ok());
    for (std::uint64_t seed = 31; seed <= 34; ++seed)
      tessera::test::run_shadow_model(slab, span, {.seed = seed, .operations = 8000, .max_size = 5000});
  }
}

TEST_CASE("debug off: every byte of a slab that does not start an object is refused, for any class size") {
  // The object-start check is one multiply and one rotate (index_of); try it on every address of
  // a slab of each class, powers of two and not, with one object in use.
  Arena arena(256 << 10);
  Slab<{.sizes = {16, 48, 80, 96, 192, 336, 1008, 4000}, .slab_bytes = 8192}> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  for (std::size_t size : {16, 48, 80, 96, 192, 336, 1008, 4000}) {
    CAPTURE(size);
    auto used = slab.allocate(size, 1);
    REQUIRE(used.ok());
    const auto stats = slab.stats();
    auto* frame = bytes(used.value()) - (address(used.value()) - 1) % 8192 - 1;
    const std::size_t align = size & (~size + 1);
    const std::size_t first = (32 + align - 1) / align * align, count = (8192 - first) / size;
    for (std::size_t offset = 0; offset < 8192; ++offset) {
      auto* p = frame + offset;
      if (p == used.value()) continue;
      const bool starts = offset >= first && (offset - first) % size == 0 && (offset - first) / size < count;
      CAPTURE(offset);
      // Never handed out: a free object (double free); anywhere else: not an object of ours.
      CHECK(slab.deallocate(p).error() == (starts ? Error::double_free : Error::not_owned));
    }
    CHECK(slab.stats() == stats);
    REQUIRE(slab.deallocate(used.value()).ok());
  }
}

TEST_CASE("any api::Allocator can back it (here a bump allocator)") {
  Arena arena(256 << 10);
  Slab<{.slab_bytes = 4096}, tessera::alloc::Region<>> slab;
  REQUIRE(slab.add_region(arena.region()).ok());
  auto a = slab.allocate(64, 8), b = slab.allocate(3000, 8);
  REQUIRE((a.ok() && b.ok()));
  CHECK(address(a.value()) % 64 == 0);
  CHECK(address(b.value()) % 4096 == 64);
  CHECK(slab.deallocate(a.value()).ok());
  CHECK(slab.deallocate(a.value()).error() == Error::double_free);
  CHECK(slab.deallocate(b.value()).ok());
}

// The same allocator in constant evaluation: any undefined behaviour or out-of-bounds access
// is a compile error. A seeded script allocates, reallocates and frees small objects and large
// blocks over a local arena in two regions (a Buddy of 64-byte pages beneath 512-byte slabs),
// finds each block by comparing addresses (C++20 cannot cast void* back), fills it and checks
// the fill, the alignment and that no two blocks overlap; misuse must give error values; at the
// end every byte is back.
namespace {

constexpr std::size_t kScriptArena = 8192;
using ScriptSlab = Slab<{.sizes = {16, 32, 64, 128}, .slab_bytes = 512}, Buddy<{.page_size = 64, .max_order = 8}>>;
using ScriptDebugSlab =
    Slab<{.debug = true, .sizes = {16, 48, 64, 128}, .slab_bytes = 512}, Buddy<{.page_size = 64, .max_order = 8}>>;

using Script = tessera::test::ScriptArena<kScriptArena, 16>;  // payloads are 16-byte aligned

// What the script asks of alloc::Slab (tests/unit/alloc/script_arena.hpp).
constexpr tessera::test::ScriptShape kShape{.allocate_below = 50, .free_below = 82, .big_one_in = 5, .big_max = 900,
                                             .small_max = 130, .align_bits = 9, .realloc_max = 400, .realloc_align = 16};

template <class S>
constexpr bool slab_script(std::uint64_t seed, bool misuse_checks) {
  Script script(seed);
  std::byte* arena = script.bytes;
  std::byte elsewhere{};
  S slab;
  if (!slab.add_region({arena, arena + 3500}).ok()) return false;
  if (!slab.add_region({arena + 3500 + 40, arena + kScriptArena}).ok()) return false;
  const auto initial = slab.stats();

  ScriptBlock* live = script.live;
  std::size_t& count = script.count;

  for (int step = 0; step < 220; ++step) {
    // Misuse now and then (each costs a scan of the arena by address comparison).
    if (misuse_checks && step % 40 == 7) {
      if (slab.deallocate(&elsewhere).error() != Error::not_owned) return false;
      if (slab.deallocate(arena).error() != Error::not_owned) return false;
      if (slab.deallocate(arena + 3500 + 8).error() != Error::not_owned) return false;  // between the regions
      if (count > 0 && slab.deallocate(arena + live[0].offset + 1).error() != Error::not_owned) return false;
      if (slab.allocate(1, 24).error() != Error::invalid_argument) return false;
      if (slab.allocate(kSizeMax, 1).error() != Error::out_of_memory) return false;
      if (slab.allocate(kSizeMax - 63, 16).error() != Error::out_of_memory) return false;
      if (slab.allocate(1, kSizeMax / 2 + 1).error() != Error::out_of_memory) return false;
    }
    if (script.step(slab, kShape, misuse_checks, as_asked, any_out_of_memory) == ScriptStep::failed) return false;
    const auto s = slab.stats();
    if (s.peak_in_use < s.bytes_in_use) return false;
  }
  if (!script.free_all(slab)) return false;
  const auto final = slab.stats();
  return final.bytes_in_use == 0 && final.bytes_free == initial.bytes_free &&
         final.largest_free == initial.largest_free && slab.backing().stats().bytes_in_use == 0;
}

static_assert(slab_script<ScriptSlab>(1, true), "alloc::Slab seeded script in constant evaluation (seed 1)");
static_assert(slab_script<ScriptSlab>(2, true), "alloc::Slab seeded script in constant evaluation (seed 2)");
static_assert(slab_script<ScriptDebugSlab>(3, false), "alloc::Slab .debug seeded script in constant evaluation");

// A statically allocated Slab is constant-initialised (no guard, no constructor at run time).
constinit Slab<> static_instance;
static_assert(tessera::api::ReallocatingAllocator<Slab<>>);
static_assert(std::is_same_v<decltype(tessera::alloc::pages_of(static_instance)), Buddy<>&>);
static_assert(Slab<>::max_small == 2048 && Slab<>::class_count == 8);

}  // namespace

TEST_CASE("the constant-evaluation script also passes at run time") {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    CAPTURE(seed);
    CHECK(slab_script<ScriptSlab>(seed, true));
    CHECK(slab_script<ScriptDebugSlab>(seed, false));
  }
  CHECK(static_instance.stats().bytes_free == 0);
}
