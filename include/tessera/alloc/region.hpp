#pragma once
// alloc::Region — a bump allocator over one memory region.
//
// allocate() moves a pointer forward; deallocate() of the most recent block moves it back,
// any other free is accepted and the space is reclaimed only when everything after it is
// gone (never, for a bump allocator). Best for boot-time and arena use.
//
// Options: .bytes — use at most this many bytes of the region it is given (0: all of it).
// Cost: O(1) allocate and free, 5 words of state, nothing to initialise: adding a 1 GiB region
// touches no memory. Usable in constant evaluation.

#include <cstddef>

#include "tessera/api/allocator.hpp"
#include "tessera/lib/bits.hpp"

namespace tessera::alloc {

struct RegionOptions {
  std::size_t bytes = 0;
};

namespace detail {

// The size-independent logic, shared by every Region<Options> instantiation.
class RegionCore {
 public:
  constexpr Result<void> add_region(MemoryRegion region, std::size_t limit) {
    if (base_ != nullptr) return fail(Error::not_supported);  // one region only
    if (region.begin == nullptr || region.end < region.begin) return fail(Error::invalid_argument);
    base_ = region.begin;
    capacity_ = region.size();
    if (limit != 0 && limit < capacity_) capacity_ = limit;
    return {};
  }

  constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    if (!lib::is_power_of_two(align)) return fail(Error::invalid_argument);
    if (size == 0) size = 1;  // every allocation gets a distinct address
    const std::size_t pad = lib::padding_for(lib::address_of(base_, top_), align);
    const std::size_t remaining = capacity_ - top_;
    // Written so that no sum can overflow, whatever size and align are.
    if (pad > remaining || size > remaining - pad) return fail(Error::out_of_memory);
    before_last_ = top_;
    last_ = top_ + pad;
    top_ = last_ + size;
    has_last_ = true;
    has_freed_ = false;
    if (top_ > peak_) peak_ = top_;
    return static_cast<void*>(base_ + last_);
  }

  constexpr Result<void> deallocate(void* pointer) {
    if (pointer == nullptr) return {};
    std::size_t offset = 0;
    if (!find_offset(pointer, offset)) return fail(Error::not_owned);
    if (has_last_ && offset == last_) {
      top_ = before_last_;
      has_last_ = false;
      has_freed_ = true;
      return {};
    }
    if (has_freed_ && offset == last_) return fail(Error::double_free);
    if (offset >= top_) return fail(Error::not_owned);  // never handed out
    return {};  // an older block: its space stays used
  }

  // Gives up the never-used tail of the region (for alloc::Staged's hand-over): the region
  // ends at the current top from now on.
  constexpr MemoryRegion release_unused() {
    if (base_ == nullptr) return {};
    MemoryRegion tail{base_ + top_, base_ + capacity_};
    capacity_ = top_;
    return tail;
  }

  constexpr api::AllocatorStats stats() const {
    return {.bytes_in_use = top_,
            .peak_in_use = peak_,
            .bytes_free = capacity_ - top_,
            .largest_free = capacity_ - top_};
  }

 private:
  // The offset of `pointer` in the region; false if it is not inside it.
  constexpr bool find_offset(void* pointer, std::size_t& offset) const {
    if (base_ == nullptr) return false;
    if (__builtin_is_constant_evaluated()) {
      // C++20 constant evaluation cannot cast void* back to std::byte* (allowed from C++26,
      // P2738), nor order pointers into different objects: compare addresses for equality.
      // Offsets above the top and the most recent block give not_owned either way.
      const std::size_t limit = top_ > last_ ? top_ : last_;
      for (std::size_t i = 0; i <= limit && i < capacity_; ++i)
        if (static_cast<void*>(base_ + i) == pointer) {
          offset = i;
          return true;
        }
      return false;
    }
    auto* p = static_cast<std::byte*>(pointer);
    if (p < base_ || p >= base_ + capacity_) return false;
    offset = static_cast<std::size_t>(p - base_);
    return true;
  }

  std::byte* base_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t top_ = 0;          // offset of the first free byte
  std::size_t peak_ = 0;
  std::size_t last_ = 0;         // offset of the most recent block
  std::size_t before_last_ = 0;  // top_ before the most recent block (with its padding)
  bool has_last_ = false;        // the most recent block can still be freed
  bool has_freed_ = false;       // ... or was just freed (a second free is a double free)
};

}  // namespace detail

template <RegionOptions Options = RegionOptions{}>
class Region {
 public:
  static constexpr const char* name = "alloc::Region";
  static constexpr RegionOptions options = Options;

  constexpr Result<void> add_region(MemoryRegion region) { return core_.add_region(region, Options.bytes); }
  constexpr Result<void*> allocate(std::size_t size, std::size_t align) { return core_.allocate(size, align); }
  constexpr Result<void> deallocate(void* p) { return core_.deallocate(p); }
  constexpr api::AllocatorStats stats() const { return core_.stats(); }
  constexpr MemoryRegion release_unused() { return core_.release_unused(); }

 private:
  detail::RegionCore core_;
};

static_assert(api::Allocator<Region<>>);

}  // namespace tessera::alloc
