#pragma once
// alloc::Tlsf — a two-level segregated fit allocator (Masmano et al., "TLSF: a new dynamic
// memory allocator for real-time systems", 2004): O(1) allocate, free and reallocate, with
// immediate coalescing of free neighbours. The general-purpose application allocator.
//
// How: free blocks sit in 40 × 32 segregated lists. The first level is the power of two of the
// block size, the second splits each power of two into 32 classes (blocks below 512 bytes get
// one class per 16 bytes). A 64-bit first-level bitmap and one 32-bit second-level bitmap per
// first level say which lists are non-empty, so finding a list that is large enough is two
// find-first-set instructions, never a loop. A request is rounded up to the next class
// ("good fit"), so the head of any list found is large enough; before that, the head of the
// request's own class is tried (a block freed by a request of the same size fits exactly, with
// no split and no merge); when no list has one, the top (below) serves the request, and last
// the first block of the largest non-empty class is tried as well (see largest_free below).
//
// The top: the free end of the region (the whole region at first) is kept apart, as dlmalloc
// keeps its top chunk: its start and end are in the state, it has no header and is on no list.
// Requests no list can serve are cut from its front, and blocks freed next to it merge into it.
// So cutting a block from fresh memory writes one header, the block's own, and reads nothing
// there. (It is not fetched ahead at the previous cut: a write prefetch into a page out of the
// TLB costs that cut a page walk, 140 ns on the benchmark hosts, and the entry is often gone
// again by the next cut.) A split of a listed block also writes the rest's header, at
// block + need: a line nobody may have touched for long.
//
// Blocks: every block starts 16-byte aligned with a 16-byte header; payloads are 16-byte aligned
// and block sizes multiples of 16, at least 32 (minimum payload 16, room for the free-list links).
//   +0  prev   the block physically before (an integer, 0 for a region's first block), kept
//              up to date for every block, so a header can be checked against both neighbours
//              | bit 1 that block is free (here, not in the size word: whoever changes a
//              neighbour's state rewrites this word whole, and need not read it first)
//   +8  size   block size including the header | bit 0 this block is free
//   +16 next free, +24 previous free (free blocks only, inside their payload)
// Links are integers, not pointers: addresses at run time; in constant evaluation (where there
// are no addresses) offsets from the first region's begin, which also anchors alignment there.
// Each region starts with a 16-byte record (the previous region's record, the region's end) and
// ends with a 16-byte header of a zero-size used block, so no walk ever leaves a region. A region
// added while there is no top becomes the top; any other is one free block on its list.
//
// Options: .debug — double frees, pointers the allocator does not own (outside every region, or
//   not the start of a block) and corrupted headers (a block inconsistent with its neighbours)
//   are reported through tessera_allocator_misuse (the machine exits); with it off they are
//   returned as Error::double_free / Error::not_owned, detected by O(1) checks before anything
//   is written. .bytes — use at most this many bytes in total of the regions it is given (0:
//   all of them; a region beyond the cap is accepted and ignored, like alloc::Region).
//
// Cost: 16 bytes per block (payloads rounded up to 16), 32 bytes per region (plus up to 15 to
//   align its start). State ~10.5 KiB (1,280 list heads, bitmaps, statistics), all zero, so a
//   static instance is constant-initialised (.bss). allocate/deallocate/reallocate O(1):
//   two bit scans, at most two merges or splits, no loops (pointer ownership checks walk the
//   region records when there is more than one region). add_region O(1): writes the region record's
//   2 words at its start (6 words when it is not the top: also its end marker and first header),
//   touching no memory proportional to the region's size (it reads the earlier regions' records
//   to refuse an overlap). Per block the waste is the header, the
//   rounding to 16 and at most 16 bytes more when the rest of the block found is too small to be
//   a block of its own (a block found is split, so class rounding costs no bytes; it only
//   chooses which block). Alignments above 16 search for size + alignment + 16 and give the
//   leading gap back as a free block.
//   Blocks are at most 2^48 - 16 bytes (regions larger than that are used up to that size).
//
// Statistics are exact and O(1): bytes_in_use and bytes_free count whole blocks including their
// headers (so in_use + free is constant: every region's size minus its 32 bytes of bookkeeping);
// largest_free is the payload of the first block of the largest non-empty class, or of the top
// if that is larger, and it is exact in this sense: allocate(n, a) with a <= 16 succeeds if and
// only if n <= largest_free (0 when nothing is free).
//
// Constant evaluation: everything works there (the unit tests run scripts inside static_assert);
// several regions must then lie in one array, after the first region. Deallocate there finds the
// block by comparing addresses (C++20 cannot cast void* back to std::byte*), O(region size / 16).
// reallocate keeps 16-byte alignment (like C realloc), not a larger alignment of the original.
// Not thread-safe: one core, or the caller serialises (as for every tessera allocator).

#include <cstddef>
#include <cstdint>

#include "tessera/alloc/misuse.hpp"
#include "tessera/api/allocator.hpp"
#include "tessera/lib/bits.hpp"
#include "tessera/lib/inline.hpp"
#include "tessera/lib/raw_memory.hpp"

namespace tessera::alloc {

struct TlsfOptions {
  bool debug = false;
  std::size_t bytes = 0;
};

namespace detail {

// The size-independent logic, shared by every Tlsf<Options> instantiation; `Debug` selects the
// misuse checks and how misuse is answered (report vs. error value).
class TlsfCore {
 public:
  using Ref = std::uintptr_t;  // a block: its address (run time) or offset from base_ (constant evaluation)
  static_assert(sizeof(Ref) == 8 && sizeof(std::size_t) == 8, "alloc::Tlsf: 64-bit targets only (8-byte header words)");

  static constexpr std::size_t kAlignLog2 = 4;
  static constexpr std::size_t kAlign = std::size_t{1} << kAlignLog2;  // payload alignment, size granule
  static constexpr std::size_t kHeader = 16;                           // prev + size words
  static constexpr std::size_t kMinBlock = 32;                         // header + two free-list links
  static constexpr std::size_t kRegionOverhead = 32;                   // region record + end marker
  static constexpr unsigned kSlLog2 = 5;
  static constexpr unsigned kSlCount = 1u << kSlLog2;                   // 32 classes per power of two
  static constexpr unsigned kFlShift = kSlLog2 + kAlignLog2;            // below 2^9 = 512: 16-byte classes
  static constexpr std::size_t kSmall = std::size_t{1} << kFlShift;
  static constexpr unsigned kMaxBlockLog2 = 48;
  static constexpr unsigned kFlCount = kMaxBlockLog2 - kFlShift + 1;    // 40 first levels
  static constexpr std::size_t kMaxBlock = (std::size_t{1} << kMaxBlockLog2) - kAlign;

  constexpr TlsfCore() = default;
  TlsfCore(const TlsfCore&) = delete;  // the managed memory holds links into this object's lists
  TlsfCore& operator=(const TlsfCore&) = delete;

  constexpr Result<void> add_region(MemoryRegion region, std::size_t cap) {
    if (region.begin == nullptr || region.end < region.begin) return fail(Error::invalid_argument);
    if (region_count_ == 0) base_ = region.begin;
    const Ref begin = ref_of(region.begin);
    const std::size_t skip = lib::padding_for(begin, kAlign);
    std::size_t span = region.size();
    if (span < skip + kRegionOverhead + kMinBlock) return fail(Error::invalid_argument);  // too small for one block
    span = (span - skip) & ~(kAlign - 1);
    if (cap != 0) {
      const std::size_t remaining = (cap - consumed_) & ~(kAlign - 1);
      if (span > remaining) span = remaining;
      if (span < kRegionOverhead + kMinBlock) return {};  // over the cap: accepted, not used
    }
    if (span > kMaxBlock + kRegionOverhead) span = kMaxBlock + kRegionOverhead;

    const Ref record = begin + skip, end = record + span - kHeader, first = record + kHeader;
    const std::size_t size = end - first;
    Ref other = regions_;  // regions must not overlap
    for (std::size_t i = 0; i < region_count_; ++i, other = get(other + kRecordNext))
      if (record < get(other + kRecordEnd) + kHeader && other < end + kHeader) return fail(Error::invalid_argument);
    put(record + kRecordNext, regions_);
    put(record + kRecordEnd, end);
    // The top has no header and is on no list, and its end marker is written when the top is
    // used up (take_from_top): a fresh region costs writes at its start only, not a first touch
    // of the memory at its far end (in QEMU, a zeroed 2 MiB huge page on the host).
    if (top_ == 0) {
      top_ = first;
      top_end_ = end;
      top_prev_ = 0;
    } else {
      put(end + kPrev, first | kPrevFreeBit);  // the free block before it
      put(end + kWord, 0);                     // a used block of size 0: the region's end
      put(first + kPrev, 0);
      put(first + kWord, size | kFreeBit);
      insert(first, size);
    }

    regions_ = record;
    if (region_count_ == 0 || first < lo_) lo_ = first;
    if (region_count_ == 0 || end > hi_) hi_ = end;
    ++region_count_;
    consumed_ += span;
    capacity_ += size;
    return {};
  }

  template <bool Debug>
  constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    if (!lib::is_power_of_two(align)) return fail(Error::invalid_argument);
    if (size > kMaxBlock - kHeader || align > kMaxBlock) return fail(Error::out_of_memory);
    const Ref block = allocate_block<Debug>(block_size_for(size), align);
    if (block == 0) return fail(Error::out_of_memory);
    return static_cast<void*>(at(block + kHeader));
  }

  template <bool Debug>
  constexpr Result<void> deallocate(void* pointer) {
    if (pointer == nullptr) return {};
    Ref block = 0;
    if (const Misuse m = check<Debug>(pointer, block); m != Misuse::none)
      return fail(misuse<Debug>("deallocate", pointer, m));
    free_block(block);
    return {};
  }

  template <bool Debug>
  constexpr Result<void*> reallocate(void* pointer, std::size_t size) {
    if (pointer == nullptr) return allocate<Debug>(size, kAlign);
    Ref block = 0;
    if (const Misuse m = check<Debug>(pointer, block); m != Misuse::none)
      return fail(misuse<Debug>("reallocate", pointer, m));
    if (size > kMaxBlock - kHeader) return fail(Error::out_of_memory);
    const std::size_t need = block_size_for(size);
    const std::uint64_t word = get(block + kWord);
    const std::size_t have = word & kSizeMask;
    const Ref next = block + have;
    const bool next_is_top = next == top_;
    const std::uint64_t next_word = next_is_top ? 0 : get(next + kWord);

    if (need <= have) {  // shrink in place; the tail (if it can be a block) is freed
      if (have - need >= kMinBlock) {
        if (next_is_top) {
          top_ = block + need;
          top_prev_ = block;
        } else {
          release_tail(block, block + need, have - need, next, next_word);
        }
        put(block + kWord, need);
        in_use_ -= have - need;
      }
      return pointer;
    }
    if (next_is_top && top_end_ - block >= need) {  // grow in place into the top
      const std::size_t now = take_from_top(block, need);
      put(block + kWord, now);
      in_use_ += now - have;
      if (in_use_ > peak_) peak_ = in_use_;
      return pointer;
    }
    if (next_word & kFreeBit) {  // grow in place into the free block after it
      const std::size_t next_size = next_word & kSizeMask;
      if (have + next_size >= need) {
        remove(next, next_size);
        const std::size_t total = have + next_size;
        const Ref after = next + next_size;
        std::size_t now = total;
        if (total - need >= kMinBlock) {
          const Ref tail = block + need;
          put(tail + kPrev, block);
          put(tail + kWord, (total - need) | kFreeBit);
          put(after + kPrev, tail | kPrevFreeBit);
          insert(tail, total - need);
          now = need;
        } else {
          put(after + kPrev, block);
        }
        put(block + kWord, now);
        in_use_ += now - have;
        if (in_use_ > peak_) peak_ = in_use_;
        return pointer;
      }
    }
    // Move: a new block first, so that on failure the old one is untouched.
    const Ref moved = allocate_block<Debug>(need, kAlign);
    if (moved == 0) return fail(Error::out_of_memory);
    copy(at(moved + kHeader), at(block + kHeader), have - kHeader);  // need > have: all of the old payload
    free_block(block);
    return static_cast<void*>(at(moved + kHeader));
  }

  constexpr api::AllocatorStats stats() const {
    std::size_t largest = 0;
    if (fl_map_ != 0) {
      const unsigned fl = msb(fl_map_), sl = msb(sl_map_[fl]);
      largest = (get(heads_[fl][sl] + kWord) & kSizeMask) - kHeader;
    }
    if (top_ != 0 && top_end_ - top_ - kHeader > largest) largest = top_end_ - top_ - kHeader;
    return {.bytes_in_use = in_use_, .peak_in_use = peak_, .bytes_free = capacity_ - in_use_, .largest_free = largest};
  }

 private:
  // Header fields (offsets from a block's start) and the region record's fields.
  static constexpr Ref kPrev = 0, kWord = 8, kNextFree = 16, kPrevFree = 24;
  static constexpr Ref kRecordNext = 0, kRecordEnd = 8;
  static constexpr std::uint64_t kFreeBit = 1, kPrevFreeBit = 2, kSizeMask = ~std::uint64_t{kAlign - 1};

  enum class Misuse : unsigned char { none, outside, not_block, double_free, corrupt };

  struct Bin {
    unsigned fl, sl;
  };

  TESSERA_HOT static constexpr unsigned msb(std::uint64_t x) {
    return 63u - static_cast<unsigned>(__builtin_clzll(x));
  }
  TESSERA_HOT static constexpr unsigned lsb(std::uint64_t x) {
    return static_cast<unsigned>(__builtin_ctzll(x));
  }

  // The block size for a request of `size` bytes (size <= kMaxBlock - kHeader).
  TESSERA_HOT static constexpr std::size_t block_size_for(std::size_t size) {
    const std::size_t need = (size + kHeader + kAlign - 1) & ~(kAlign - 1);
    return need < kMinBlock ? kMinBlock : need;
  }

  // The list a free block of `size` bytes belongs to.
  TESSERA_HOT static constexpr Bin bin_of(std::size_t size) {
    if (size < kSmall) return {0, static_cast<unsigned>(size >> kAlignLog2)};
    const unsigned m = msb(size);
    return {m - (kFlShift - 1), static_cast<unsigned>(size >> (m - kSlLog2)) & (kSlCount - 1)};
  }

  // The first list whose every block holds `size` bytes: round up to the next class boundary.
  // May return fl >= kFlCount (nothing that large).
  TESSERA_HOT static constexpr Bin search_bin_of(std::size_t size) {
    if (size >= kSmall) size += (std::size_t{1} << (msb(size) - kSlLog2)) - 1;
    return bin_of(size);
  }

  // Memory access: header words through lib::load/store (also in constant evaluation).
  TESSERA_HOT constexpr std::byte* at(Ref r) const {
    if (__builtin_is_constant_evaluated()) return base_ + r;
    return static_cast<std::byte*>(__builtin_assume_aligned(reinterpret_cast<std::byte*>(r), 8));
  }
  constexpr Ref ref_of(std::byte* p) const {
    if (__builtin_is_constant_evaluated()) return static_cast<Ref>(p - base_);
    return reinterpret_cast<Ref>(p);
  }
  TESSERA_HOT constexpr std::uint64_t get(Ref r) const { return lib::load<std::uint64_t>(at(r)); }
  TESSERA_HOT constexpr void put(Ref r, std::uint64_t v) { lib::store<std::uint64_t>(at(r), v); }

  TESSERA_HOT constexpr void prefetch_for_write(Ref r) const {
    if (!__builtin_is_constant_evaluated()) __builtin_prefetch(at(r), 1);
  }

  static constexpr void copy(std::byte* to, const std::byte* from, std::size_t n) {
    if (__builtin_is_constant_evaluated()) {
      for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
      return;
    }
    __builtin_memcpy(to, from, n);
  }

  // Free lists: doubly linked through the payload, 0 terminates; heads_ is 0 for an empty list.
  TESSERA_HOT constexpr void insert(Ref block, std::size_t size) {
    const Bin b = bin_of(size);
    const Ref head = heads_[b.fl][b.sl];
    put(block + kNextFree, head);
    put(block + kPrevFree, 0);
    if (head != 0) put(head + kPrevFree, block);
    heads_[b.fl][b.sl] = block;
    sl_map_[b.fl] |= 1u << b.sl;
    fl_map_ |= std::uint64_t{1} << b.fl;
  }

  TESSERA_HOT constexpr void unlink_head(Bin b, Ref next) {
    heads_[b.fl][b.sl] = next;
    if (next != 0) {
      put(next + kPrevFree, 0);
    } else {
      sl_map_[b.fl] &= ~(1u << b.sl);
      if (sl_map_[b.fl] == 0) fl_map_ &= ~(std::uint64_t{1} << b.fl);
    }
  }

  TESSERA_HOT constexpr void remove(Ref block, std::size_t size) {
    const Ref next = get(block + kNextFree), prev = get(block + kPrevFree);
    if (prev != 0) {
      put(prev + kNextFree, next);
      if (next != 0) put(next + kPrevFree, prev);
    } else {
      unlink_head(bin_of(size), next);
    }
  }

  // Bytes to skip at the start of `block` so that its payload is aligned to `align` (> kAlign),
  // either 0 or enough for the skipped part to be a free block of its own.
  TESSERA_HOT static constexpr std::size_t gap_for(Ref block, std::size_t align) {
    std::size_t gap = lib::padding_for(block + kHeader, align);
    if (gap != 0 && gap < kMinBlock) gap += align;
    return gap;
  }

  // Takes a free block that can hold `need` bytes at alignment `align` off its list; 0 if none.
  template <bool Debug>
  TESSERA_HOT constexpr Ref take(std::size_t need, std::size_t align) {
    const std::size_t search = align <= kAlign ? need : need + align + kHeader;
    // The good-fit list: the first non-empty one from the class above the request's, so its
    // head surely fits. Found from the bitmaps alone; its head's header and the place its split
    // will write are fetched now, in case the exact probe below fails (then the reads overlap
    // instead of queueing behind the probe's).
    Bin b = search_bin_of(search);
    Ref fit = 0;
    if (b.fl < kFlCount) [[likely]] {
      std::uint32_t sl_map = sl_map_[b.fl] & (~0u << b.sl);
      if (sl_map == 0) {
        const std::uint64_t fl_map = fl_map_ & (~std::uint64_t{0} << (b.fl + 1));
        if (fl_map != 0) {
          b.fl = lsb(fl_map);
          sl_map = sl_map_[b.fl];
        }
      }
      if (sl_map != 0) [[likely]] {
        b.sl = lsb(sl_map);
        fit = heads_[b.fl][b.sl];
      }
    }
    if (search >= kSmall) {
      // Rounding up to the next class means a freed block of exactly this size (in the class
      // below the rounded one) would never serve the same request again: every allocation
      // would split a larger block and every free merge it back. So the head of the request's
      // own class is tried first: one bitmap test and one header read, still O(1).
      const Bin exact = bin_of(search);
      if (exact.fl < kFlCount && (sl_map_[exact.fl] >> exact.sl & 1)) {
        if (fit != 0) {
          prefetch_for_write(fit);
          prefetch_for_write(fit + need);
        }
        const Ref head = heads_[exact.fl][exact.sl];
        if constexpr (Debug) check_free_block(head, exact);
        const std::size_t size = get(head + kWord) & kSizeMask;
        const std::size_t gap = align <= kAlign ? 0 : gap_for(head, align);
        if (gap <= size && size - gap >= need) {
          unlink_head(exact, get(head + kNextFree));
          return head;
        }
      }
    }
    if (fit != 0) [[likely]] {
      if constexpr (Debug) check_free_block(fit, b);
      unlink_head(b, get(fit + kNextFree));
      return fit;
    }
    return 0;
  }

  // Nothing in a class that surely fits (nor in the top): the first block of the largest class
  // may still do.
  template <bool Debug>
  constexpr Ref take_largest(std::size_t need, std::size_t align) {
    if (fl_map_ == 0) return 0;
    Bin b{};
    b.fl = msb(fl_map_);
    b.sl = msb(sl_map_[b.fl]);
    const Ref block = heads_[b.fl][b.sl];
    if constexpr (Debug) check_free_block(block, b);
    const std::size_t size = get(block + kWord) & kSizeMask;
    const std::size_t gap = align <= kAlign ? 0 : gap_for(block, align);
    if (gap > size || size - gap < need) return 0;
    unlink_head(b, get(block + kNextFree));
    return block;
  }

  // The top's first `need` bytes (or all of it, if the rest could not be a block) for the block
  // at `block` (top_ or just before it); returns the block's size.
  constexpr std::size_t take_from_top(Ref block, std::size_t need) {
    std::size_t size = top_end_ - block;
    if (size - need >= kMinBlock) {
      top_ = block + need;
      top_prev_ = block;
      return need;
    }
    top_ = 0;  // used up: the region's end marker follows the block now
    put(top_end_ + kPrev, block);
    put(top_end_ + kWord, 0);
    return size;
  }

  // A used block of `need` bytes at alignment `align` from the top; 0 if it has no room.
  constexpr Ref allocate_from_top(std::size_t need, std::size_t align) {
    if (top_ == 0) return 0;
    Ref block = top_, prev = top_prev_;
    std::uint64_t prev_bit = 0;
    const std::size_t gap = align <= kAlign ? 0 : gap_for(block, align);
    if (gap > top_end_ - block || top_end_ - block - gap < need) return 0;
    if (gap != 0) {  // the gap becomes a free block of its own
      put(block + kPrev, prev);
      put(block + kWord, gap | kFreeBit);
      insert(block, gap);
      prev = block;
      block += gap;
      prev_bit = kPrevFreeBit;
    }
    const std::size_t size = take_from_top(block, need);
    put(block + kPrev, prev | prev_bit);
    put(block + kWord, size);
    in_use_ += size;
    if (in_use_ > peak_) peak_ = in_use_;
    return block;
  }

  // A used block of `need` bytes (aligned payload), its remainders back on the lists; 0 if none.
  // The lists first (good fit), then the top, then the largest list's head.
  template <bool Debug>
  TESSERA_HOT constexpr Ref allocate_block(std::size_t need, std::size_t align) {
    Ref block = take<Debug>(need, align);
    if (block == 0) [[unlikely]] {
      if (const Ref from_top = allocate_from_top(need, align); from_top != 0) return from_top;
      block = take_largest<Debug>(need, align);
      if (block == 0) return 0;
    }
    // The split writes a header at block + need and the next block's: for a large block those
    // are two more cold lines, fetched now alongside the block's own header, not one by one.
    prefetch_for_write(block + need);
    std::size_t size = get(block + kWord) & kSizeMask;  // free: its prev is used (no two free neighbours)
    prefetch_for_write(block + size);
    if (align > kAlign) {
      if (const std::size_t gap = gap_for(block, align); gap != 0) {  // the gap stays free
        put(block + kWord, gap | kFreeBit);
        insert(block, gap);
        put(block + gap + kPrev, block | kPrevFreeBit);
        block += gap;
        size -= gap;
      }
    }
    // The block's own prev word is right (its prev is used, or the gap). Neither branch reads
    // the next block's header: its prev word is rewritten whole.
    const Ref next = block + size;
    if (size - need >= kMinBlock) {  // split: the tail stays free
      const Ref tail = block + need;
      put(tail + kPrev, block);
      put(tail + kWord, (size - need) | kFreeBit);
      put(next + kPrev, tail | kPrevFreeBit);
      insert(tail, size - need);
      size = need;
    } else {
      put(next + kPrev, block);  // `block` now used (and moved, if a gap was cut off)
    }
    put(block + kWord, size);
    in_use_ += size;
    if (in_use_ > peak_) peak_ = in_use_;
    return block;
  }

  // Frees a used block (already checked), merging it with free neighbours.
  TESSERA_HOT constexpr void free_block(Ref block) {
    const std::uint64_t word = get(block + kWord);
    std::size_t size = word & kSizeMask;
    in_use_ -= size;
    const Ref next = block + size;
    const bool next_is_top = next == top_;
    const std::uint64_t next_word = next_is_top ? 0 : get(next + kWord);
    const std::uint64_t prev_word = get(block + kPrev);
    if (prev_word & kPrevFreeBit) {
      put(block + kWord, word | kFreeBit);  // the stale header now says "free": a second free is a double free
      const Ref prev = prev_word & ~kPrevFreeBit;
      const std::size_t prev_size = get(prev + kWord) & kSizeMask;
      remove(prev, prev_size);
      block = prev;
      size += prev_size;
    }
    if (next_is_top) {  // into the top: its header stays, marked free, so a second free is a double free
      put(block + kWord, size | kFreeBit);
      top_ = block;
      top_prev_ = get(block + kPrev);  // used, so its free bit is clear; or 0 at the region's start
      return;
    }
    free_span(block, size, next, next_word);
  }

  // Frees [tail, next) cut from the end of the used block `owner`, merging it with `next` if free.
  constexpr void release_tail(Ref owner, Ref tail, std::size_t size, Ref next, std::uint64_t next_word) {
    put(tail + kPrev, owner);
    free_span(tail, size, next, next_word);
  }

  // Makes [block, next) a free block (its prev word already right), merged with `next` if that
  // is free (`next_word`: next's size word), and puts it on its list.
  TESSERA_HOT constexpr void free_span(Ref block, std::size_t size, Ref next, std::uint64_t next_word) {
    if (next_word & kFreeBit) {
      const std::size_t next_size = next_word & kSizeMask;
      remove(next, next_size);
      size += next_size;
      next += next_size;
    }
    put(block + kWord, size | kFreeBit);
    put(next + kPrev, block | kPrevFreeBit);
    insert(block, size);
  }

  // --- ownership and consistency checks -------------------------------------------------------

  // The region whose blocks include `block`: [first, end) with end its end marker.
  TESSERA_HOT constexpr bool region_of(Ref block, Ref& first, Ref& end) const {
    if (block < lo_ || block >= hi_) return false;
    if (region_count_ == 1) [[likely]] {
      first = lo_;
      end = hi_;
      return true;
    }
    return find_region(block, first, end);
  }
  constexpr bool find_region(Ref block, Ref& first, Ref& end) const {
    Ref record = regions_;
    for (std::size_t i = 0; i < region_count_; ++i, record = get(record + kRecordNext)) {
      first = record + kHeader;
      end = get(record + kRecordEnd);
      if (block >= first && block < end) return true;
    }
    return false;
  }

  // Constant evaluation: the offset of `pointer`, found by comparing addresses (payloads are
  // 16-byte aligned, so those positions first); false if it is in no region at all.
  constexpr bool find_in_regions(const void* pointer, Ref& found) const {
    for (int step : {16, 1}) {
      Ref record = regions_;
      for (std::size_t i = 0; i < region_count_; ++i, record = get(record + kRecordNext)) {
        const Ref end = get(record + kRecordEnd) + kHeader;  // one past the end marker
        for (Ref r = record; r < end; r += static_cast<Ref>(step))
          if (static_cast<const void*>(at(r)) == pointer) {
            found = r;
            return true;
          }
      }
    }
    return false;
  }

  // Is `pointer` the payload of a used block of ours? Reads only memory inside our regions and
  // writes nothing. Debug also checks the block's neighbours.
  template <bool Debug>
  TESSERA_HOT constexpr Misuse check(const void* pointer, Ref& block) const {
    Ref payload = 0;
    if (__builtin_is_constant_evaluated()) {
      if (!find_in_regions(pointer, payload)) return Misuse::outside;
    } else {
      payload = reinterpret_cast<Ref>(pointer);
    }
    block = payload - kHeader;
    Ref first = 0, end = 0;
    if (payload < kHeader || !region_of(block, first, end)) return Misuse::outside;
    if (block % kAlign != 0) return Misuse::not_block;
    const std::uint64_t word = get(block + kWord);
    const std::size_t size = word & kSizeMask;
    if (size < kMinBlock || size > end - block) return Misuse::not_block;
    const Ref next = block + size;
    if ((next == top_ ? top_prev_ : get(next + kPrev) & ~kPrevFreeBit) != block)
      return (word & kFreeBit) ? Misuse::double_free : Misuse::not_block;
    if (word & kFreeBit) return Misuse::double_free;
    if constexpr (Debug) {
      const std::uint64_t next_word = next == top_ ? 0 : get(next + kWord);  // the top: free, no header
      if (next != top_ && (get(next + kPrev) & kPrevFreeBit)) return Misuse::corrupt;
      if (const std::uint64_t prev_link = get(block + kPrev); prev_link & kPrevFreeBit) {
        const Ref prev = prev_link & ~kPrevFreeBit;
        if (prev < first || prev >= block || prev % kAlign != 0) return Misuse::corrupt;
        const std::uint64_t prev_word = get(prev + kWord);
        if ((prev_word & kSizeMask) != block - prev || !(prev_word & kFreeBit) || !links_ok(prev, block - prev))
          return Misuse::corrupt;
      }
      if (next_word & kFreeBit) {
        const std::size_t next_size = next_word & kSizeMask;
        if (next_size < kMinBlock || next_size > end - next || get(next + next_size + kPrev) != (next | kPrevFreeBit) ||
            !links_ok(next, next_size))
          return Misuse::corrupt;
      }
    }
    return Misuse::none;
  }

  // Debug: the free-list links of a free block (inside a region, 16-byte aligned) point back to it.
  constexpr bool links_ok(Ref block, std::size_t size) const {
    Ref first = 0, end = 0;
    const Ref next = get(block + kNextFree), prev = get(block + kPrevFree);
    if (next != 0 && (next % kAlign != 0 || !region_of(next, first, end) || get(next + kPrevFree) != block))
      return false;
    if (prev == 0) {
      const Bin b = bin_of(size);
      return heads_[b.fl][b.sl] == block;
    }
    return prev % kAlign == 0 && region_of(prev, first, end) && get(prev + kNextFree) == block;
  }

  // Debug: a block about to be taken off list `b` must be a free block that belongs there.
  constexpr void check_free_block(Ref block, Bin b) const {
    Ref first = 0, end = 0;
    bool ok = block % kAlign == 0 && region_of(block, first, end);
    if (ok) {
      const std::uint64_t word = get(block + kWord);
      const std::size_t size = word & kSizeMask;
      const Bin home = size >= kMinBlock ? bin_of(size) : Bin{~0u, ~0u};
      ok = (word & kFreeBit) && !(get(block + kPrev) & kPrevFreeBit) && size <= end - block && home.fl == b.fl &&
           home.sl == b.sl && get(block + size + kPrev) == (block | kPrevFreeBit) && links_ok(block, size);
    }
    if (!ok) report("allocate", __builtin_is_constant_evaluated() ? nullptr : at(block), Misuse::corrupt);
  }

  static constexpr const char* describe(Misuse m) {
    switch (m) {
      case Misuse::outside: return "not owned (outside every region)";
      case Misuse::not_block: return "not owned (not the start of a block, or its header is corrupted)";
      case Misuse::double_free: return "double free";
      case Misuse::corrupt: return "corrupted header";
      case Misuse::none: break;
    }
    return "?";
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void report(const char* operation, const void* address, Misuse m) {
    tessera_allocator_misuse("alloc::Tlsf", operation, address, describe(m));
  }

  template <bool Debug>
  static constexpr Error misuse(const char* operation, const void* address, Misuse m) {
    if constexpr (Debug) report(operation, address, m);  // does not return
    return m == Misuse::double_free ? Error::double_free : Error::not_owned;
  }

  std::uint64_t fl_map_ = 0;                  // bit fl: some list in sl_map_[fl] is non-empty
  std::uint32_t sl_map_[kFlCount] = {};       // bit sl: heads_[fl][sl] is non-empty
  Ref heads_[kFlCount][kSlCount] = {};
  std::byte* base_ = nullptr;                 // the first region's begin (constant-evaluation origin)
  Ref regions_ = 0;                           // the latest region's record; each links the one before
  std::size_t region_count_ = 0;
  Ref lo_ = 0, hi_ = 0;                       // every region's blocks lie in [lo_, hi_)
  std::size_t in_use_ = 0, peak_ = 0;
  std::size_t capacity_ = 0;  // every block's bytes (in use + free): bytes_free is capacity_ - in_use_
  std::size_t consumed_ = 0;                  // bytes of regions taken (for .bytes)
  // The top: the free end of a region, [top_, top_end_) (top_end_ its end marker), with no header
  // and on no list; top_prev_ is the (used) block before it, 0 at the region's start. 0: none.
  Ref top_ = 0, top_end_ = 0, top_prev_ = 0;
};

}  // namespace detail

template <TlsfOptions Options = TlsfOptions{}>
class Tlsf {
  static_assert(Options.bytes == 0 || Options.bytes >= detail::TlsfCore::kRegionOverhead + detail::TlsfCore::kMinBlock,
                "alloc::Tlsf: .bytes must be 0 (no cap) or at least 64 (one region's bookkeeping and one block)");

 public:
  static constexpr const char* name = "alloc::Tlsf";
  static constexpr TlsfOptions options = Options;
  static constexpr std::size_t alignment = detail::TlsfCore::kAlign;        // of every payload
  static constexpr std::size_t header_bytes = detail::TlsfCore::kHeader;    // per block
  static constexpr std::size_t min_block = detail::TlsfCore::kMinBlock;     // header included
  static constexpr std::size_t region_overhead = detail::TlsfCore::kRegionOverhead;
  static constexpr std::size_t max_block = detail::TlsfCore::kMaxBlock;

  constexpr Result<void> add_region(MemoryRegion region) { return core_.add_region(region, Options.bytes); }
  constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    return core_.template allocate<Options.debug>(size, align);
  }
  constexpr Result<void> deallocate(void* p) { return core_.template deallocate<Options.debug>(p); }
  constexpr Result<void*> reallocate(void* p, std::size_t size) {
    return core_.template reallocate<Options.debug>(p, size);
  }
  constexpr api::AllocatorStats stats() const { return core_.stats(); }

 private:
  detail::TlsfCore core_;
};

static_assert(api::Allocator<Tlsf<>>);
static_assert(api::ReallocatingAllocator<Tlsf<>>);

}  // namespace tessera::alloc
