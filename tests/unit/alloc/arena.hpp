#pragma once
// Memory for allocator unit tests, and the helpers every allocator test uses: the address of
// a pointer, and how a test learns which misuse an allocator reported.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <new>

#include "misuse.hpp"
#include "tessera/api/allocator.hpp"

namespace tessera::test {

inline std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

// Heap memory of exactly `size` bytes (so ASan flags any access just past it), starting `skew`
// bytes after an `align`-aligned address, so that a test controls how aligned a region is.
// Each allocator's test gives it the defaults that suit it.
class HeapArena {
 public:
  HeapArena(std::size_t size, std::size_t align, std::size_t skew)
      : alignment_(align),
        storage_(static_cast<std::byte*>(::operator new(size + skew, std::align_val_t{align}))),
        begin(storage_ + skew),
        end(begin + size) {}
  ~HeapArena() { ::operator delete(storage_, std::align_val_t{alignment_}); }
  HeapArena(const HeapArena&) = delete;
  HeapArena& operator=(const HeapArena&) = delete;

  MemoryRegion region() const { return {begin, end}; }
  bool contains(const void* p, std::size_t size) const {
    return address(p) >= address(begin) && address(p) + size <= address(end);
  }

 private:
  std::size_t alignment_;
  std::byte* storage_;

 public:
  std::byte* const begin;
  std::byte* const end;
};

// Runs `f` and returns the misuse it reported (the unit tests' hook throws it).
template <class F>
MisuseDetected misuse_of(F&& f) {
  try {
    f();
  } catch (const MisuseDetected& m) {
    return m;
  }
  FAIL("no misuse reported");
  return {};
}

}  // namespace tessera::test
