#pragma once
// alloc::Buddy — a page-granular binary buddy allocator: blocks of 2^k pages (k = 0 ..
// .max_order), each aligned to its own size, one free list per order, and a freed block
// merged with its buddy (the other half of the block twice its size) as long as that one is
// free. The page allocator: thread stacks, page tables, DMA buffers and slab backing.
//
// How: allocate(size, align) wants order k = log2 of max(size, align, page_size) rounded up
// (alignment up to the block's size comes free; a larger one takes a bigger order). The lowest
// non-empty list of order >= k is found with one bit scan of a 64-bit list bitmap; a larger
// block is split and its upper halves go onto the lists below.
//
// Lazy regions: a region is never split up front. Each region keeps a *frontier*: pages below
// it have been handed out at least once; pages at and above it are untouched and free. When no
// list can serve a request, the block is carved from a region's frontier (aligned to its size;
// the few blocks skipped to align it, at most one per order, go onto the lists) and the frontier
// moves past it. When a free block ends at the frontier it moves back instead of going onto a
// list, taking any free blocks that then end at it along (so when everything is free again every
// region is untouched again and its largest block is whole).
//
// Metadata: one tag byte per page, in pages at the region's start (not in the pages handed out),
//   written only below the frontier: carving a block writes its pages' tags (1 byte per page,
//   1/4096 of the carved memory with 4 KiB pages), so set-up and memory touched grow with what
//   is used, never with the region. A tag says: not a block's first page (0), or first page of a
//   used or free block of order k (0x80 | free 0x40 | k). A buddy is free only if its tag says so,
//   never because of bytes inside a block. Region record (first page): the previous region's
//   record, first usable page, end, frontier, tag bias (tag address = bias + page number).
//   Free blocks hold their list links in their first 24 bytes (next, previous, tag bias).
//   Links are integers: addresses at run time; in constant evaluation offsets from the first
//   region's begin, which also anchors page alignment there.
//
// Options: .page_size (a power of two, at least 32; the PageAllocator page_size), .max_order
//   (largest block page_size << max_order; default 1 GiB with 4 KiB pages), .debug — double
//   frees and pointers it does not own (outside every region, not page-aligned, not the first
//   page of a used block) and corrupted free lists are reported through
//   tessera_allocator_misuse (the machine exits); with it off they are returned as
//   Error::double_free / Error::not_owned, detected from the tags before anything is written.
//
// Cost: add_region O(1) (writes the 40-byte record; reads earlier records to refuse an overlap),
//   1 byte per page plus 40 bytes per region of metadata, rounded up to whole pages. allocate
//   O(1) from the lists (a split costs one list insert per order), carving O(max_order);
//   deallocate O(max_order) merges; moving the frontier back is amortised O(1) per carved block.
//   Waste: requests are rounded up to a power of two of pages. Object state 472 bytes, all
//   zero but the geometry: a static instance is constant-initialised.
//
// Statistics are exact: bytes_in_use counts whole blocks, bytes_free every free page (lists and
// frontiers), in_use + free is constant; largest_free is the largest block allocate can return
// now (allocate(n, a) with max(n, a) <= largest_free succeeds).
//
// Constant evaluation: everything works there (the unit tests run scripts inside static_assert);
// several regions must then lie in one array, after the first. Deallocate finds the page there
// by comparing addresses (C++20 cannot cast void* back to std::byte*), O(region pages).
// Not thread-safe: one core, or the caller serialises (as for every tessera allocator).

#include <cstddef>
#include <cstdint>

#include "tessera/alloc/misuse.hpp"
#include "tessera/api/allocator.hpp"
#include "tessera/lib/bits.hpp"
#include "tessera/lib/inline.hpp"
#include "tessera/lib/raw_memory.hpp"

namespace tessera::alloc {

struct BuddyOptions {
  bool debug = false;
  std::size_t page_size = 4096;
  unsigned max_order = 18;  // largest block: page_size << max_order
};

namespace detail {

// The size-independent logic, shared by every Buddy<Options> instantiation; `Debug` selects
// how misuse is answered (report vs. error value) and the extra free-list checks.
class BuddyCore {
 public:
  using Ref = std::uintptr_t;  // an address (run time) or an offset from base_ (constant evaluation)
  static_assert(sizeof(Ref) == 8 && sizeof(std::size_t) == 8, "alloc::Buddy: 64-bit targets only (8-byte link words)");

  static constexpr unsigned kOrderLimit = 48;        // orders 0 .. 47 (list heads, 6-bit order in tags)
  static constexpr std::size_t kRecordBytes = 40;    // region record before the tags
  static constexpr std::size_t kLinkBytes = 24;      // a free block's next, previous, tag bias

  constexpr BuddyCore(unsigned page_shift, unsigned max_order)
      : shift_(page_shift), max_order_(max_order) {}
  BuddyCore(const BuddyCore&) = delete;  // the managed memory holds links into this object's lists
  BuddyCore& operator=(const BuddyCore&) = delete;

  constexpr Result<void> add_region(MemoryRegion region) {
    if (region.begin == nullptr || region.end < region.begin) return fail(Error::invalid_argument);
    if (region_count_ == 0) base_ = region.begin;
    const Ref begin = ref_of(region.begin);
    const std::size_t pad = lib::padding_for(begin, page());
    if (pad >= region.size()) return fail(Error::invalid_argument);
    const Ref record = begin + pad;
    const Ref end = (begin + region.size()) & ~Ref{page() - 1};
    if (end <= record) return fail(Error::invalid_argument);
    const std::size_t pages = (end - record) >> shift_;
    const std::size_t meta = (kRecordBytes + pages + page() - 1) >> shift_;  // record + one tag per page
    if (pages <= meta) return fail(Error::invalid_argument);                // no page left to hand out
    Ref other = regions_;
    for (std::size_t i = 0; i < region_count_; ++i, other = get(other + kNext))
      if (record < get(other + kEnd) && other < end) return fail(Error::invalid_argument);  // overlap

    const Ref first = record + (meta << shift_);
    put(record + kNext, regions_);
    put(record + kFirst, first);
    put(record + kEnd, end);
    put(record + kFrontier, first);
    put(record + kBias, record + kRecordBytes - (record >> shift_));
    if (region_count_ == 0 || record < lo_) lo_ = record;
    if (region_count_ == 0 || end > hi_) hi_ = end;
    regions_ = current_ = record;
    ++region_count_;
    free_ += end - first;
    return {};
  }

  template <bool Debug>
  TESSERA_HOT constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    if (!lib::is_power_of_two(align)) return fail(Error::invalid_argument);
    const std::size_t want = size > align ? size : align;
    if (want > max_block()) return fail(Error::out_of_memory);
    const Ref block = take<Debug>(order_for(want));
    if (block == 0) return fail(Error::out_of_memory);
    return static_cast<void*>(at(block));
  }

  template <bool Debug>
  TESSERA_HOT constexpr Result<void> deallocate(void* pointer) {
    if (pointer == nullptr) return {};
    Ref p = 0, region = 0;
    unsigned order = 0;
    if (const Misuse m = locate<Debug>(pointer, p, region, order); m != Misuse::none) [[unlikely]]
      return fail(misuse<Debug>("deallocate", pointer, m));
    release<Debug>(region, p >> shift_, order);
    return {};
  }

  // Shrinks in place (the upper halves are freed), grows in place when the buddies above are
  // free (or untouched), otherwise moves; the contents up to the smaller size are kept.
  template <bool Debug>
  constexpr Result<void*> reallocate(void* pointer, std::size_t size) {
    if (pointer == nullptr) return allocate<Debug>(size, 1);
    Ref p = 0, region = 0;
    unsigned order = 0;
    if (const Misuse m = locate<Debug>(pointer, p, region, order); m != Misuse::none)
      return fail(misuse<Debug>("reallocate", pointer, m));
    if (size > max_block()) return fail(Error::out_of_memory);
    const unsigned want = order_for(size == 0 ? 1 : size);
    const Ref n = p >> shift_, bias = get(region + kBias);
    if (want < order) {
      set_tag(bias, n, kHead | want);
      for (unsigned j = order; j-- > want;) {  // from the top half down, so each may join the frontier
        const Ref half = n + (Ref{1} << j);
        set_tag(bias, half, kHead | j);
        release<Debug>(region, half, j);
      }
      return pointer;
    }
    if (want == order || grow_in_place<Debug>(region, n, order, want)) return pointer;
    const Ref moved = take<Debug>(want);
    if (moved == 0) return fail(Error::out_of_memory);
    copy(at(moved), at(p), page() << order);  // want > order: all of the old block
    release<Debug>(region, n, order);
    return static_cast<void*>(at(moved));
  }

  constexpr api::AllocatorStats stats() const {
    std::size_t largest = nonempty_ != 0 ? page() << msb(nonempty_) : 0;
    Ref region = regions_;
    for (std::size_t i = 0; i < region_count_; ++i, region = get(region + kNext)) {
      const std::size_t untouched = largest_carvable(region);
      if (untouched > largest) largest = untouched;
    }
    return {.bytes_in_use = in_use_, .peak_in_use = peak_, .bytes_free = free_, .largest_free = largest};
  }

  // Is `pointer` inside one of the regions (metadata pages included)? Reads nothing outside them.
  constexpr bool owns(const void* pointer) const {
    Ref p = 0, region = 0;
    if (__builtin_is_constant_evaluated()) return find_ref(pointer, p);
    p = reinterpret_cast<Ref>(pointer);
    return region_of(p, region);
  }

  constexpr std::size_t page() const { return std::size_t{1} << shift_; }
  constexpr std::size_t max_block() const { return page() << max_order_; }

 private:
  // Region record fields (offsets from the record, the region's first page).
  static constexpr Ref kNext = 0, kFirst = 8, kEnd = 16, kFrontier = 24, kBias = 32;
  // Free block link fields.
  static constexpr Ref kLinkNext = 0, kLinkPrev = 8, kLinkBias = 16;
  // Tag bits.
  static constexpr unsigned kHead = 0x80, kFree = 0x40, kOrderMask = 0x3f;

  enum class Misuse : unsigned char { none, outside, not_block, double_free, corrupt };

  TESSERA_HOT static constexpr unsigned msb(std::uint64_t x) {
    return 63u - static_cast<unsigned>(__builtin_clzll(x));
  }
  TESSERA_HOT static constexpr unsigned lsb(std::uint64_t x) {
    return static_cast<unsigned>(__builtin_ctzll(x));
  }

  // The order for `want` bytes (1 <= want <= max_block()): bit width of want - 1, at least the page's.
  TESSERA_HOT constexpr unsigned order_for(std::size_t want) const {
    return msb((want - 1) | (page() - 1)) + 1 - shift_;
  }

  // Memory access: link words through lib::load/store, tags as bytes (also in constant evaluation).
  TESSERA_HOT constexpr std::byte* at(Ref r) const {
    if (__builtin_is_constant_evaluated()) return base_ + r;
    return reinterpret_cast<std::byte*>(r);
  }
  constexpr Ref ref_of(std::byte* p) const {
    if (__builtin_is_constant_evaluated()) return static_cast<Ref>(p - base_);
    return reinterpret_cast<Ref>(p);
  }
  TESSERA_HOT constexpr std::uint64_t get(Ref r) const { return lib::load<std::uint64_t>(at(r)); }
  TESSERA_HOT constexpr void put(Ref r, std::uint64_t v) { lib::store<std::uint64_t>(at(r), v); }
  TESSERA_HOT constexpr unsigned tag(Ref bias, Ref n) const {
    return static_cast<unsigned>(*at(bias + n));
  }
  TESSERA_HOT constexpr void set_tag(Ref bias, Ref n, unsigned value) {
    *at(bias + n) = static_cast<std::byte>(value);
  }
  constexpr void clear_tags(Ref bias, Ref n, std::size_t count) {
    std::byte* t = at(bias + n);
    if (__builtin_is_constant_evaluated()) {
      for (std::size_t i = 0; i < count; ++i) t[i] = std::byte{0};
      return;
    }
    __builtin_memset(t, 0, count);
  }
  static constexpr void copy(std::byte* to, const std::byte* from, std::size_t n) {
    if (__builtin_is_constant_evaluated()) {
      for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
      return;
    }
    __builtin_memcpy(to, from, n);
  }

  // Free lists: doubly linked through the blocks' first bytes, 0 terminates (no free block is
  // ever at Ref 0: that would be a region record).
  TESSERA_HOT constexpr void push(Ref block, unsigned k, Ref bias) {
    const Ref head = heads_[k];
    put(block + kLinkNext, head);
    put(block + kLinkPrev, 0);
    put(block + kLinkBias, bias);
    if (head != 0) put(head + kLinkPrev, block);
    heads_[k] = block;
    nonempty_ |= std::uint64_t{1} << k;
    set_tag(bias, block >> shift_, kHead | kFree | k);
  }
  TESSERA_HOT constexpr Ref pop(unsigned k) {
    const Ref block = heads_[k], next = get(block + kLinkNext);
    heads_[k] = next;
    if (next != 0)
      put(next + kLinkPrev, 0);
    else
      nonempty_ &= ~(std::uint64_t{1} << k);
    return block;
  }
  constexpr void unlink(Ref block, unsigned k) {
    const Ref next = get(block + kLinkNext), prev = get(block + kLinkPrev);
    if (prev != 0) {
      put(prev + kLinkNext, next);
    } else {
      heads_[k] = next;
      if (next == 0) nonempty_ &= ~(std::uint64_t{1} << k);
    }
    if (next != 0) put(next + kLinkPrev, prev);
  }

  TESSERA_HOT constexpr void account_used(std::size_t bytes) {
    in_use_ += bytes;
    free_ -= bytes;
    if (in_use_ > peak_) peak_ = in_use_;
  }

  // A used block of order k (its tag written), or 0 if none can be had.
  template <bool Debug>
  TESSERA_HOT constexpr Ref take(unsigned k) {
    const std::uint64_t larger = nonempty_ >> k;
    if (larger == 0) [[unlikely]] return carve(k);
    unsigned j = k + lsb(larger);
    if constexpr (Debug) check_free_block("allocate", heads_[j], j);
    const Ref block = pop(j);
    const Ref bias = get(block + kLinkBias);
    while (j > k) {  // split: the upper halves go onto the lists below
      --j;
      push(block + (page() << j), j, bias);
    }
    set_tag(bias, block >> shift_, kHead | k);
    account_used(page() << k);
    return block;
  }

  // Can `region` carve an aligned block of `size` bytes from its frontier? Its address if so, else 0.
  constexpr Ref carvable(Ref region, std::size_t size) const {
    const Ref frontier = get(region + kFrontier), end = get(region + kEnd);
    const Ref block = frontier + lib::padding_for(frontier, size);
    return block < end && end - block >= size ? block : 0;
  }

  // The largest block `region` could carve now (0 if none).
  constexpr std::size_t largest_carvable(Ref region) const {
    for (unsigned k = max_order_ + 1; k-- > 0;)
      if (carvable(region, page() << k) != 0) return page() << k;
    return 0;
  }

  // A used block of order k from some region's frontier, or 0.
  constexpr Ref carve(unsigned k) {
    if (region_count_ == 0) return 0;
    const std::size_t size = page() << k;
    Ref region = current_, block = carvable(region, size);
    if (block == 0) {
      region = regions_;
      for (std::size_t i = 0; i < region_count_ && (block = carvable(region, size)) == 0; ++i)
        region = get(region + kNext);
      if (block == 0) return 0;
      current_ = region;
    }
    const Ref bias = get(region + kBias);
    Ref n = get(region + kFrontier) >> shift_;
    const Ref b = block >> shift_, end = b + (Ref{1} << k);
    clear_tags(bias, n, end - n);        // the tags below the frontier are valid from now on
    while (n < b) {                      // the pages skipped to align the block: free blocks
      const unsigned j = lsb(n);          // < k, as n is not aligned to 2^k
      push(n << shift_, j, bias);
      n += Ref{1} << j;
    }
    set_tag(bias, b, kHead | k);
    put(region + kFrontier, end << shift_);
    account_used(size);
    return block;
  }

  // Frees the used block of order k at page n of `region` (already checked), merging it with
  // free buddies; a block that ends at the frontier moves the frontier back instead.
  template <bool Debug>
  constexpr void release(Ref region, Ref n, unsigned k) {
    const Ref bias = get(region + kBias), first = get(region + kFirst) >> shift_;
    const Ref frontier = get(region + kFrontier) >> shift_;
    in_use_ -= page() << k;
    free_ += page() << k;
    set_tag(bias, n, 0);
    while (k < max_order_) {
      const Ref buddy = n ^ (Ref{1} << k);
      if (buddy < first || buddy >= frontier || tag(bias, buddy) != (kHead | kFree | k)) break;
      if constexpr (Debug) check_free_block("deallocate", buddy << shift_, k);
      unlink(buddy << shift_, k);
      set_tag(bias, buddy, 0);
      n &= ~(Ref{1} << k);
      ++k;
    }
    if (n + (Ref{1} << k) != frontier) {
      push(n << shift_, k, bias);
      return;
    }
    // Move the frontier back over the block and every free block that then ends at it.
    Ref f = n;
    while (f > first) {
      const unsigned limit = lsb(f) < max_order_ ? lsb(f) : max_order_;
      bool absorbed = false;
      for (unsigned j = 0; j <= limit; ++j) {
        const Ref start = f - (Ref{1} << j);
        if (start < first) break;
        const unsigned t = tag(bias, start);
        if (t & kHead) {  // the block that ends at f starts here
          if (t == (kHead | kFree | j)) {
            if constexpr (Debug) check_free_block("deallocate", start << shift_, j);
            unlink(start << shift_, j);
            f = start;
            absorbed = true;
          }
          break;
        }
      }
      if (!absorbed) break;
    }
    put(region + kFrontier, f << shift_);
  }

  // Grows the used block of order k at page n to order `want` in place if every buddy above it
  // is free (or untouched, beyond the frontier); false (nothing changed) otherwise.
  template <bool Debug>
  constexpr bool grow_in_place(Ref region, Ref n, unsigned k, unsigned want) {
    const Ref bias = get(region + kBias), frontier = get(region + kFrontier) >> shift_;
    const Ref end = get(region + kEnd) >> shift_;
    if ((n & ((Ref{1} << want) - 1)) != 0 || n + (Ref{1} << want) > end) return false;
    unsigned j = k;
    for (; j < want; ++j) {
      const Ref buddy = n + (Ref{1} << j);
      if (buddy == frontier) break;  // the rest is untouched
      if (tag(bias, buddy) != (kHead | kFree | j)) return false;
      if constexpr (Debug) check_free_block("reallocate", buddy << shift_, j);
    }
    for (unsigned i = k; i < j; ++i) {
      const Ref buddy = n + (Ref{1} << i);
      unlink(buddy << shift_, i);
      set_tag(bias, buddy, 0);
    }
    if (j < want) {
      const Ref new_frontier = n + (Ref{1} << want);
      clear_tags(bias, frontier, new_frontier - frontier);
      put(region + kFrontier, new_frontier << shift_);
    }
    set_tag(bias, n, kHead | want);
    account_used((page() << want) - (page() << k));
    return true;
  }

  // --- ownership and consistency checks -------------------------------------------------------

  TESSERA_HOT constexpr bool region_of(Ref p, Ref& region) const {
    if (p < lo_ || p >= hi_) return false;
    if (region_count_ == 1) [[likely]] {
      region = regions_;
      return true;
    }
    Ref r = regions_;
    for (std::size_t i = 0; i < region_count_; ++i, r = get(r + kNext))
      if (p >= r && p < get(r + kEnd)) {
        region = r;
        return true;
      }
    return false;
  }

  // Constant evaluation: the offset of `pointer` in a region, found by comparing addresses
  // (blocks are page-aligned, so those positions first, then 16-byte aligned ones for callers
  // such as alloc::Slab asking about objects); false if it is in no region.
  constexpr bool find_ref(const void* pointer, Ref& found) const {
    for (const std::size_t step : {page(), std::size_t{16}, std::size_t{1}}) {
      Ref r = regions_;
      for (std::size_t i = 0; i < region_count_; ++i, r = get(r + kNext)) {
        const Ref end = get(r + kEnd);
        for (Ref at_ref = r; at_ref < end; at_ref += step)
          if (static_cast<const void*>(at(at_ref)) == pointer) {
            found = at_ref;
            return true;
          }
      }
    }
    return false;
  }

  // Is `pointer` the first page of a used block? Its address, region and order if so. Reads only
  // our metadata, writes nothing.
  template <bool Debug>
  TESSERA_HOT constexpr Misuse locate(const void* pointer, Ref& p, Ref& region, unsigned& k) const {
    if (__builtin_is_constant_evaluated()) {
      if (!find_ref(pointer, p)) return Misuse::outside;
    } else {
      p = reinterpret_cast<Ref>(pointer);
    }
    if (!region_of(p, region)) return Misuse::outside;
    if ((p & (page() - 1)) != 0) return Misuse::not_block;
    const Ref first = get(region + kFirst), frontier = get(region + kFrontier);
    if (p < first) return Misuse::not_block;             // our metadata
    if (p >= frontier) return Misuse::double_free;       // free (untouched, or given back)
    const Ref bias = get(region + kBias), n = p >> shift_;
    const unsigned t = tag(bias, n);
    if ((t & (kHead | kFree)) == kHead) [[likely]] {
      k = t & kOrderMask;
      if constexpr (Debug) {
        if (k > max_order_ || (n & ((Ref{1} << k) - 1)) != 0 || n + (Ref{1} << k) > frontier >> shift_)
          return Misuse::corrupt;
      }
      return Misuse::none;
    }
    if (t & kHead) return Misuse::double_free;  // the first page of a free block
    // Inside a block: find its first page, whose tag says whether it is free.
    for (unsigned j = 1; j <= max_order_; ++j) {
      const Ref head = n & ~((Ref{1} << j) - 1);
      if (head < first >> shift_) break;
      const unsigned h = tag(bias, head);
      if (h & kHead) return (h & kFree) && (h & kOrderMask) >= j ? Misuse::double_free : Misuse::not_block;
    }
    return Misuse::not_block;
  }

  // Debug: is `block` the first page of a free block of order k (by its tag and its bias)?
  constexpr bool is_free_block(Ref block, unsigned k) const {
    Ref region = 0;
    if ((block & (page() - 1)) != 0 || !region_of(block, region) || block < get(region + kFirst) ||
        block >= get(region + kFrontier))
      return false;
    const Ref bias = get(region + kBias);
    return tag(bias, block >> shift_) == (kHead | kFree | k) && get(block + kLinkBias) == bias;
  }

  // Debug: a free block about to be taken off list k must be one, and its list neighbours must
  // link back to it (a write into a freed block, e.g. its links, is caught before it is followed).
  constexpr void check_free_block(const char* operation, Ref block, unsigned k) const {
    bool ok = block != 0 && is_free_block(block, k);
    if (ok) {
      const Ref next = get(block + kLinkNext), prev = get(block + kLinkPrev);
      ok = (next == 0 || (is_free_block(next, k) && get(next + kLinkPrev) == block)) &&
           (prev == 0 ? heads_[k] == block : is_free_block(prev, k) && get(prev + kLinkNext) == block);
    }
    if (!ok) report(operation, __builtin_is_constant_evaluated() ? nullptr : at(block), Misuse::corrupt);
  }

  static constexpr const char* describe(Misuse m) {
    switch (m) {
      case Misuse::outside: return "not owned (outside every region)";
      case Misuse::not_block: return "not owned (not the start of a used block)";
      case Misuse::double_free: return "double free";
      case Misuse::corrupt: return "corrupted free list or page tags";
      case Misuse::none: break;
    }
    return "?";
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void report(const char* operation, const void* address, Misuse m) {
    tessera_allocator_misuse("alloc::Buddy", operation, address, describe(m));
  }

  template <bool Debug>
  static constexpr Error misuse(const char* operation, const void* address, Misuse m) {
    if constexpr (Debug) report(operation, address, m);  // does not return
    return m == Misuse::double_free ? Error::double_free : Error::not_owned;
  }

  unsigned shift_;                     // log2 of the page size
  unsigned max_order_;
  std::uint64_t nonempty_ = 0;         // bit k: heads_[k] is non-empty
  Ref heads_[kOrderLimit] = {};
  std::byte* base_ = nullptr;          // the first region's begin (constant-evaluation origin)
  Ref regions_ = 0;                    // the latest region's record; each links the one before
  Ref current_ = 0;                    // the region carved from last
  std::size_t region_count_ = 0;
  Ref lo_ = 0, hi_ = 0;                // every region lies in [lo_, hi_)
  std::size_t in_use_ = 0, peak_ = 0, free_ = 0;
};

}  // namespace detail

template <BuddyOptions Options = BuddyOptions{}>
class Buddy {
  static_assert(lib::is_power_of_two(Options.page_size) && Options.page_size >= 32,
                "alloc::Buddy: .page_size must be a power of two of at least 32 bytes (room for the free-list links)");
  static_assert(Options.max_order < detail::BuddyCore::kOrderLimit &&
                    __builtin_ctzll(Options.page_size) + Options.max_order <= 48,
                "alloc::Buddy: .max_order too large (blocks are at most 2^47 pages and 2^48 bytes)");

 public:
  static constexpr const char* name = "alloc::Buddy";
  static constexpr BuddyOptions options = Options;
  static constexpr std::size_t page_size = Options.page_size;
  static constexpr std::size_t max_block = Options.page_size << Options.max_order;
  static constexpr std::size_t record_bytes = detail::BuddyCore::kRecordBytes;  // per region, then 1 byte per page

  constexpr Buddy() = default;

  constexpr Result<void> add_region(MemoryRegion region) { return core_.add_region(region); }
  TESSERA_HOT constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    return core_.template allocate<Options.debug>(size, align);
  }
  TESSERA_HOT constexpr Result<void> deallocate(void* p) {
    return core_.template deallocate<Options.debug>(p);
  }
  constexpr Result<void*> reallocate(void* p, std::size_t size) {
    return core_.template reallocate<Options.debug>(p, size);
  }
  constexpr api::AllocatorStats stats() const { return core_.stats(); }
  // Whether `p` lies in one of the regions (used by alloc::Slab before it reads a slab header).
  constexpr bool owns(const void* p) const { return core_.owns(p); }

  // Purpose-specific allocators (alloc/purpose.hpp): a Buddy serves pages itself.
  constexpr Buddy& pages() { return *this; }

 private:
  detail::BuddyCore core_{static_cast<unsigned>(__builtin_ctzll(Options.page_size)), Options.max_order};
};

static_assert(api::Allocator<Buddy<>>);
static_assert(api::PageAllocator<Buddy<>>);
static_assert(api::ReallocatingAllocator<Buddy<>>);

}  // namespace tessera::alloc
