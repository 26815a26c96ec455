// alloc::Staged (include/tessera/alloc/staged.hpp): the boot allocator serves until the
// hand-over, then its unused memory belongs to the application allocator; frees go to the
// allocator that owns the block, before and after; the same in constant evaluation.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include <tessera/alloc/region.hpp>
#include <tessera/alloc/staged.hpp>
#include <tessera/alloc/tlsf.hpp>

#include "alloc/arena.hpp"
#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::MemoryRegion;
using tessera::alloc::Region;
using Heap = tessera::alloc::Staged<Region<>, Region<>>;

struct Arena : tessera::test::HeapArena {
  explicit Arena(std::size_t size) : HeapArena(size, alignof(std::max_align_t), 0) {}
  bool contains(const void* p) const { return HeapArena::contains(p, 1); }
};

}  // namespace

TEST_CASE("before the hand-over the boot allocator serves, after it the application allocator") {
  Arena arena(1 << 16);
  Heap heap;
  REQUIRE(heap.add_region(arena.region()).ok());
  auto early = heap.allocate(1000, 16);
  REQUIRE(early.ok());
  CHECK(heap.boot().stats().bytes_in_use == 1000);
  CHECK(heap.app().stats().bytes_in_use == 0);
  CHECK_FALSE(heap.handed_over());

  REQUIRE(heap.handover().ok());
  CHECK(heap.handed_over());
  CHECK(heap.boot().stats().bytes_free == 0);                      // nothing left for it
  CHECK(heap.app().stats().bytes_free == (1u << 16) - 1000);       // the rest moved over
  auto late = heap.allocate(1000, 16);
  REQUIRE(late.ok());
  CHECK(heap.app().stats().bytes_in_use >= 1000);  // plus padding up to 16-byte alignment
  CHECK(heap.app().stats().bytes_in_use < 1016);
  CHECK(arena.contains(late.value()));
  CHECK(static_cast<std::byte*>(late.value()) >= static_cast<std::byte*>(early.value()) + 1000);  // no overlap

  // Each free goes to the owner: the early block back to Boot, the late one to App.
  CHECK(heap.deallocate(late.value()).ok());
  CHECK(heap.app().stats().bytes_in_use == 0);
  CHECK(heap.deallocate(early.value()).ok());
  CHECK(heap.boot().stats().bytes_in_use == 0);
  CHECK(heap.stats().bytes_in_use == 0);
  CHECK(heap.deallocate(nullptr).ok());
}

TEST_CASE("hand-over is idempotent and later regions go to the application allocator") {
  Arena first(4096), second(8192);
  Heap heap;
  REQUIRE(heap.add_region(first.region()).ok());
  REQUIRE(heap.handover().ok());
  REQUIRE(heap.handover().ok());
  CHECK(heap.app().stats().bytes_free == 4096);
  // Region takes one region only: a second one is refused by the application allocator,
  // and the refusal is passed on, not hidden.
  CHECK(heap.add_region(second.region()).error() == Error::not_supported);
}

TEST_CASE("exhausting the boot allocator before the hand-over is out_of_memory, not a crash") {
  Arena arena(256);
  Heap heap;
  REQUIRE(heap.add_region(arena.region()).ok());
  CHECK(heap.allocate(512, 16).error() == Error::out_of_memory);
  CHECK(heap.allocate(static_cast<std::size_t>(-1), 16).error() == Error::out_of_memory);
  REQUIRE(heap.handover().ok());
  CHECK(heap.allocate(256, 1).ok());
}

namespace {
constexpr bool staged_script() {
  std::byte arena[512]{};
  Heap heap;
  if (!heap.add_region({arena, arena + 512})) return false;
  auto a = heap.allocate(100, 8);
  if (!a || !heap.handover()) return false;
  auto b = heap.allocate(100, 8);
  if (!b || a.value() == b.value()) return false;
  if (!heap.deallocate(b.value()) || !heap.deallocate(a.value())) return false;
  return heap.stats().bytes_in_use == 0 && heap.app().stats().bytes_free == 412;
}
static_assert(staged_script(), "alloc::Staged must work in constant evaluation");
}  // namespace

TEST_CASE("reallocate keeps the contents: boot blocks move to the application allocator, its own are resized") {
  using Resizing = tessera::alloc::Staged<Region<>, tessera::alloc::Tlsf<>>;
  Arena arena(1 << 16);
  auto heap = std::make_unique<Resizing>();  // Tlsf's list heads: ~10 KiB, not on the stack
  REQUIRE(heap->add_region(arena.region()).ok());
  // Before the hand-over, the most recent boot block grows where it is (copying overlaps).
  auto first = heap->allocate(24, 16);
  REQUIRE(first.ok());
  auto* bytes = static_cast<unsigned char*>(first.value());
  for (int i = 0; i < 24; ++i) bytes[i] = static_cast<unsigned char>(100 + i);
  auto grown = heap->reallocate(first.value(), 200);
  REQUIRE(grown.ok());
  bytes = static_cast<unsigned char*>(grown.value());
  for (int i = 0; i < 24; ++i) CHECK(bytes[i] == 100 + i);
  REQUIRE(heap->handover().ok());
  // The last bytes of the boot region: the copy must stop at the region's end (ASan checks).
  const auto boot_before = heap->boot().stats().bytes_in_use;
  auto moved = heap->reallocate(grown.value(), 1 << 12);
  REQUIRE(moved.ok());
  CHECK(heap->boot().stats().bytes_in_use <= boot_before - 200);  // the most recent boot block is gone
  bytes = static_cast<unsigned char*>(moved.value());
  for (int i = 0; i < 24; ++i) CHECK(bytes[i] == 100 + i);
  auto shrunk = heap->reallocate(moved.value(), 16);
  REQUIRE(shrunk.ok());
  CHECK(static_cast<unsigned char*>(shrunk.value())[15] == 115);
  CHECK(heap->reallocate(shrunk.value(), SIZE_MAX).error() == Error::out_of_memory);
  REQUIRE(heap->deallocate(shrunk.value()).ok());
  CHECK(heap->app().stats().bytes_in_use == 0);  // (the first boot block keeps its bytes: a bump allocator)
}
