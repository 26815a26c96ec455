#pragma once
// API: memory allocation. An Allocator hands out aligned blocks from memory regions it was
// given; failure is a value (Error::out_of_memory), never a crash.

#include <concepts>
#include <cstddef>

#include "tessera/memory_region.hpp"
#include "tessera/result.hpp"

namespace tessera::api {

struct AllocatorStats {
  std::size_t bytes_in_use = 0;   // handed out and not yet returned (including padding)
  std::size_t peak_in_use = 0;    // highest bytes_in_use seen
  std::size_t bytes_free = 0;     // still available in all regions
  std::size_t largest_free = 0;   // biggest single block that could be allocated now
};

template <class A>
concept Allocator = requires(A& a, const A& ca, std::size_t size, std::size_t align, void* p,
                             MemoryRegion region) {
  { A::name } -> std::convertible_to<const char*>;
  // Give the allocator memory to manage (the platform's free RAM at boot, more later).
  { a.add_region(region) } -> std::same_as<Result<void>>;
  // `align` is a power of two; size 0 returns a unique, freeable pointer.
  { a.allocate(size, align) } -> std::same_as<Result<void*>>;
  { a.deallocate(p) } -> std::same_as<Result<void>>;
  { ca.stats() } -> std::same_as<AllocatorStats>;
};

// Optional: resize in place where possible (otherwise allocate, copy, free); the contents up
// to the smaller size are kept. On failure the old block is untouched.
template <class A>
concept ReallocatingAllocator = Allocator<A> && requires(A& a, void* p, std::size_t size) {
  { a.reallocate(p, size) } -> std::same_as<Result<void*>>;
};

// Optional: hands out whole pages (thread stacks, page tables, slab backing); every block is
// aligned to `page_size`.
template <class A>
concept PageAllocator = Allocator<A> && requires {
  { A::page_size } -> std::convertible_to<std::size_t>;
};

}  // namespace tessera::api
