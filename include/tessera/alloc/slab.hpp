#pragma once
// alloc::Slab<Options, Backing> — fixed-size object caches on top of a page allocator: each
// size class hands out objects from slabs (aligned blocks of .slab_bytes taken from Backing);
// a request larger than the largest class (or more aligned than any class) goes straight to
// Backing. The allocator for small kernel objects, and a fast malloc for small sizes.
//
// Shape: `alloc::Slab<{.sizes = {32, 64, 192}}, alloc::Buddy<>>` owns its Backing (any
//   api::Allocator, normally a page allocator; alloc::Buddy<> by default): add_region() goes to
//   it, pages() returns it (alloc/purpose.hpp), stats() include it.
//
// How: each class keeps one free list of its objects, whatever their slab, last freed first:
//   allocate pops it, deallocate pushes (inline, about 20 and 39 instructions with the checks
//   below; neither writes a slab header). Deallocate checks that an object starts at the
//   pointer with one multiply, one rotate and one compare (index_of). A new slab's objects are
//   handed out by bump pointer in address order. A freed pointer finds its slab by masking:
//   slabs are .slab_bytes-aligned with the header at their start (the frame (p - 1) &
//   ~(slab_bytes - 1)). Large blocks carry a 64-byte header at the start of their frame too, so
//   a free tells the two apart from the header's tag: the frame's own address XOR a magic (XOR
//   the class), so neither a stale header nor a copy of one elsewhere passes for a live one.
//   Empty slabs go back to Backing when nothing at all is allocated any more (so the statistics
//   return to their initial values), when Backing runs out (the request that found it empty
//   sweeps every class and retries), and on trim(). Until then they serve their class again.
//   (Code that takes pages from pages() directly should call trim() when Backing runs out.)
//   A sweep walks a class's free list twice (counting free objects per slab, then unlinking
//   those of empty slabs): O(free objects), paid only under memory pressure or on trim(). (Giving
//   slabs back as soon as they empty would need per-slab lists or counts on every operation and
//   cost 2-3x on the fast paths; see the unit tests for the behaviour.)
//
// Slab header (.slab_bytes-aligned; objects from `first`, naturally aligned to the largest power
//   of two dividing the class size, so a 64-byte class gives 64-byte aligned objects):
//   +0 next, +8 previous (the class's slabs), +16 sweep scratch, +24 tag (slab magic ^ frame ^
//   class); with .debug +32 a bitmap of used objects.
// A free object: +0 the next free object, +8 its address ^ a magic (the free mark: a second
//   free of it is a double free). Objects never handed out carry no mark: they are the ones in
//   the class's bump range (only its newest slab has one), which deallocate also checks, so a
//   new slab costs no store per object. Without .debug the mark and the bump range are the
//   double-free check (exact unless the object was written after it was freed or holds that
//   very value); with .debug the bitmap is, and the free list is checked as it is used.
// Large block header (at its frame, the user pointer 64 bytes or `align` further):
//   +24 tag (large magic ^ frame), +32 the Backing block, +40 bytes taken, +48 the user pointer.
//   (The first 24 bytes of a slab or block are left alone: alloc::Buddy keeps its free-list links
//   there once the memory is back, so a freed slab's or block's tag survives, and a later free
//   into it is recognised as a double free.)
// Links are integers: addresses at run time; in constant evaluation offsets from the first
//   region's begin plus 2^40 (never 0, alignment kept), which anchors alignment there.
//
// Options: .sizes — the size classes, ascending multiples of 16, unused entries 0 (at most 16);
//   .slab_bytes — the slab size, a power of two (a multiple of Backing's page size); large
//   blocks are aligned to it too (requests just above the largest class cost a whole slab);
//   .debug — double frees, pointers it does not own (outside every region, not an object start,
//   no valid slab or block header) and corrupted free lists are reported through
//   tessera_allocator_misuse (the machine exits); with it off they are returned as
//   Error::double_free / Error::not_owned, detected before anything is written.
//
// Cost: allocate and deallocate of a small object O(1), no loops and no division; a new slab
//   costs a Backing call and a few header words (nothing per object); large blocks cost a Backing
//   call plus 64 bytes (or the alignment). Per slab: a 32-byte header (plus the bitmap with
//   .debug) before the first object. State 2,176 bytes (16 classes of 128) plus Backing's; add_region
//   costs what Backing's does.
//
// Statistics: bytes_in_use counts class sizes of live objects and whole large requests
//   (header and alignment included); bytes_free is Backing's free bytes plus the free objects in
//   slabs held; largest_free is the largest request allocate serves without a sweep (a class with
//   a free object, or Backing's largest free block less the large header: exact with Buddy).
//
// Constant evaluation: everything works there with a Backing that does (alloc::Buddy); several
// regions must then lie in one array, after the first. Deallocate finds the object there by
// comparing addresses (C++20 cannot cast void* back to std::byte*), O(region size).
// With several regions the ownership check asks Backing (`owns(p)`, alloc::Buddy has it); a
// Backing without it is checked against the lowest and highest region bounds only.
// Not thread-safe: one core, or the caller serialises (as for every tessera allocator).

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "tessera/alloc/buddy.hpp"
#include "tessera/alloc/misuse.hpp"
#include "tessera/alloc/purpose.hpp"
#include "tessera/api/allocator.hpp"
#include "tessera/lib/bits.hpp"
#include "tessera/lib/inline.hpp"
#include "tessera/lib/raw_memory.hpp"

namespace tessera::alloc {

struct SlabOptions {
  bool debug = false;
  std::size_t sizes[16] = {16, 32, 64, 128, 256, 512, 1024, 2048};
  std::size_t slab_bytes = 8192;
};

namespace detail {

// The size-independent logic, shared by every Slab<Options, Backing> instantiation. Backing is
// passed to the few member functions that take or give back memory; `Debug` selects the exact
// per-object bitmap and the free-list checks, and how misuse is answered.
class SlabCore {
 public:
  using Ref = std::uintptr_t;  // an address (run time) or offset + kOrigin (constant evaluation)
  static_assert(sizeof(Ref) == 8 && sizeof(std::size_t) == 8, "alloc::Slab: 64-bit targets only (8-byte header words)");

  static constexpr std::size_t kMaxClasses = 16;
  static constexpr std::size_t kLargeHeader = 64;
  static constexpr Ref kOrigin = Ref{1} << 40;
  static constexpr std::size_t kSlabHeaderFixed = 32;

  // Slab header bytes: the fixed words, and with .debug a bitmap with a bit for every object that fits.
  static constexpr std::size_t header_bytes(std::size_t slab_bytes, std::size_t smallest, bool debug) {
    return kSlabHeaderFixed + (debug ? (slab_bytes / smallest + 63) / 64 * 8 : 0);
  }
  // Where the first object of a class starts in its slab: after the header, naturally aligned.
  static constexpr std::size_t first_object(std::size_t header, std::size_t size) {
    const std::size_t align = size & (~size + 1);
    return (header + align - 1) & ~(align - 1);
  }

  constexpr SlabCore(const std::size_t (&sizes)[kMaxClasses], std::size_t slab_bytes, bool debug)
      : slab_bytes_(slab_bytes), slab_mask_(~Ref{slab_bytes - 1}) {
    while (count_ < kMaxClasses && sizes[count_] != 0) ++count_;
    const std::size_t header = header_bytes(slab_bytes, sizes[0], debug);
    for (std::size_t c = 0; c < count_; ++c) {
      const std::size_t size = sizes[c], first = first_object(header, size);
      const std::size_t capacity = (slab_bytes - first) / size;
      Class& k = classes_[c];
      const unsigned twos = static_cast<unsigned>(__builtin_ctzll(size));
      const std::uint64_t odd = size >> twos;
      std::uint64_t inverse = odd;  // Newton's iteration: each step doubles the correct low bits
      for (int i = 0; i < 6; ++i) inverse *= 2 - odd * inverse;
      k.inverse = inverse;
      k.twos = twos;
      k.count = static_cast<std::uint32_t>(capacity);
      k.size = static_cast<std::uint32_t>(size);
      k.first = static_cast<std::uint32_t>(first);
      k.span = static_cast<std::uint32_t>(capacity * size);
    }
  }
  SlabCore(const SlabCore&) = delete;  // the slabs link to each other and to this object's lists
  SlabCore& operator=(const SlabCore&) = delete;

  // A region Backing accepted: the bounds for ownership checks (and the constant-evaluation origin).
  constexpr void note_region(MemoryRegion region) {
    if (region_count_ == 0) base_ = region.begin;
    const Ref begin = raw_ref(region.begin), end = begin + region.size();
    if (region_count_ == 0) {
      first_lo_ = begin;
      first_frames_ = end - begin >= kLargeHeader ? end - begin - kLargeHeader : 0;
    }
    if (region_count_ == 0 || begin < lo_) lo_ = begin;
    if (region_count_ == 0 || end > hi_) hi_ = end;
    frames_ = hi_ - lo_ >= kLargeHeader ? hi_ - lo_ - kLargeHeader : 0;
    ++region_count_;
  }

  // An object of class c: pop the class's free list (or take the next object never handed out).
  template <bool Debug, class Backing>
  TESSERA_HOT constexpr Result<void*> allocate(unsigned c, Backing& backing) {
    Class& k = classes_[c];
    Ref object = k.free;
    if (object != 0) [[likely]] {
      if constexpr (Debug) check_free_object(c, object);
      k.free = get(object + kLink);
    } else {
      if (k.bump == k.bump_end && !add_slab<Debug>(k, c, backing)) [[unlikely]] return fail(Error::out_of_memory);
      object = k.bump;
      k.bump += k.size;
    }
    put(object + kMark, 0);  // no longer marked free
    if constexpr (Debug) flip_bit(k, object);
    in_use_ += k.size;
    if (in_use_ > peak_) peak_ = in_use_;
    return static_cast<void*>(at(object));
  }

  // A block straight from Backing with a large header before it; `align` a power of two.
  template <class Backing>
  constexpr Result<void*> allocate_large(std::size_t size, std::size_t align, Backing& backing) {
    const std::size_t offset = align > kLargeHeader ? align : kLargeHeader;
    const std::size_t block_align = align > slab_bytes_ ? align : slab_bytes_;
    if (size > ~std::size_t{0} - offset) return fail(Error::out_of_memory);
    const std::size_t bytes = offset + size;
    Result<void*> got = backing.allocate(bytes, block_align);
    if (!got.ok() && got.error() == Error::out_of_memory && reclaim(backing)) got = backing.allocate(bytes, block_align);
    if (!got.ok()) return fail(got.error() == Error::invalid_argument ? Error::invalid_argument : Error::out_of_memory);
    const Ref block = ref_of(got.value()), user = block + offset, frame = (user - 1) & slab_mask_;
    put(frame + kTag, kLargeMagic ^ frame);
    put(frame + kLargeBlock, block);
    put(frame + kLargeBytes, bytes);
    put(frame + kLargeUser, user);
    in_use_ += bytes;
    large_in_use_ += bytes;
    if (in_use_ > peak_) peak_ = in_use_;
    return static_cast<void*>(at(user));
  }

  // Push onto the class's free list.
  template <bool Debug, class Backing>
  TESSERA_HOT constexpr Result<void> deallocate(void* pointer, Backing& backing) {
    Ref object = 0, frame = 0;
    if (!find_frame(pointer, backing, object, frame)) [[unlikely]] return misplaced<Debug>(pointer, "deallocate");
    const std::uint64_t c = get(frame + kTag) ^ kSlabMagic ^ frame;
    // Against the constant, not count_: a tag naming an unused class (only a forged one does)
    // meets that class's zero count below, and is not an object either.
    if (c >= kMaxClasses) [[unlikely]] return free_other<Debug>(frame, object, pointer, backing);
    Class& k = classes_[c];
    if (const Misuse m = check_object<Debug>(k, frame, object); m != Misuse::none) [[unlikely]]
      return fail(misuse<Debug>("deallocate", pointer, m));
    if constexpr (Debug) flip_bit(k, object);
    put(object + kMark, kFreeMark ^ object);
    put(object + kLink, k.free);
    k.free = object;
    in_use_ -= k.size;
    if (in_use_ == 0) [[unlikely]] release_all(backing);
    return {};
  }

  // The bytes usable at `pointer` (class size, or the large request), or the misuse reported.
  template <bool Debug, class Backing>
  constexpr Result<std::size_t> usable_size(void* pointer, const Backing& backing, const char* operation) const {
    Ref object = 0, frame = 0;
    if (pointer == nullptr || !find_frame(pointer, backing, object, frame))
      return fail(misuse<Debug>(operation, pointer, pointer == nullptr ? Misuse::outside : where(pointer)));
    const std::uint64_t tag = get(frame + kTag), c = tag ^ kSlabMagic ^ frame;
    Misuse m = Misuse::none;
    if (c < count_) {
      m = check_object<Debug>(classes_[c], frame, object);
      if (m == Misuse::none) return std::size_t{classes_[c].size};
    } else if (tag == (kLargeMagic ^ frame) && get(frame + kLargeUser) == object) {
      return get(frame + kLargeBlock) + get(frame + kLargeBytes) - object;
    } else {
      m = classify_other(tag, frame, object);
    }
    return fail(misuse<Debug>(operation, pointer, m));
  }

  // Gives every empty slab back to Backing; true if there was one.
  template <class Backing>
  [[gnu::noinline]] constexpr bool reclaim(Backing& backing) {
    if (in_use_ == 0) return release_all(backing);
    bool released = false;
    for (std::size_t c = 0; c < count_; ++c) released |= sweep(classes_[c], static_cast<unsigned>(c), backing);
    return released;
  }

  constexpr api::AllocatorStats stats(const api::AllocatorStats& backing) const {
    const std::size_t small_in_use = in_use_ - large_in_use_;
    std::size_t largest = backing.largest_free >= slab_bytes_ ? backing.largest_free - kLargeHeader : 0;
    for (std::size_t c = count_; c-- > 0;) {
      const Class& k = classes_[c];
      if (k.free != 0 || k.bump != k.bump_end) {
        if (k.size > largest) largest = k.size;
        break;
      }
    }
    return {.bytes_in_use = in_use_,
            .peak_in_use = peak_,
            .bytes_free = backing.bytes_free + held_ - small_in_use,
            .largest_free = largest};
  }

  // Slabs held by class c (for tests and statistics).
  constexpr std::size_t slabs(unsigned c) const { return classes_[c].slab_count; }

  // Copies n bytes between two blocks of ours (in constant evaluation they are found first).
  constexpr void copy(void* to, const void* from, std::size_t n) const {
    std::byte* t = at(ref_of(to));
    const std::byte* f = at(ref_of(from));
    if (__builtin_is_constant_evaluated()) {
      for (std::size_t i = 0; i < n; ++i) t[i] = f[i];
      return;
    }
    __builtin_memcpy(t, f, n);
  }

 private:
  // A class: what allocate and deallocate touch in the first cache line, the rest in the second.
  struct alignas(64) Class {
    Ref free = 0;                 // free objects of every slab of the class, last freed first
    Ref bump = 0, bump_end = 0;   // objects of the newest slab not handed out yet
    std::uint64_t inverse = 0;    // of size's odd part, mod 2^64 (see index_of)
    std::uint32_t size = 0, first = 0, span = 0;  // span: objects per slab * size
    std::uint32_t count = 0, twos = 0;            // objects per slab; size = odd part << twos
    alignas(64) Ref slabs = 0;    // every slab of the class (doubly linked through the headers)
    std::uint32_t slab_count = 0;
  };

  // Slab header fields; large block header fields (same tag position); a free object's words.
  static constexpr Ref kNext = 0, kPrev = 8, kScratch = 16, kTag = 24, kBitmap = 32;
  static constexpr Ref kLargeBlock = 32, kLargeBytes = 40, kLargeUser = 48;
  static constexpr Ref kLink = 0, kMark = 8;
  // Tags are these XOR the frame's address. The top two bytes of each lie in 0x01..0x7f, which
  // neither an address (< 2^48) nor a run of alloc::Buddy page tags (bytes 0 or >= 0x80) has.
  static constexpr std::uint64_t kSlabMagic = 0x534c'4142'0000'0000;         // "SLAB"
  static constexpr std::uint64_t kLargeMagic = 0x4c41'5247'0000'0000;        // "LARG"
  static constexpr std::uint64_t kFreedSlabMagic = 0x4652'5342'0000'0000;    // "FRSB"
  static constexpr std::uint64_t kFreedLargeMagic = 0x4652'4c47'0000'0000;   // "FRLG"
  static constexpr std::uint64_t kFreeMark = 0x5f46'5245'45f0'b1ec;          // a free object's second word ^ its address

  enum class Misuse : unsigned char { none, outside, not_object, double_free, corrupt };

  // Memory access: header words through lib::load/store (also in constant evaluation).
  TESSERA_HOT constexpr std::byte* at(Ref r) const {
    if (__builtin_is_constant_evaluated()) return base_ + (r - kOrigin);
    return reinterpret_cast<std::byte*>(r);
  }
  constexpr Ref raw_ref(std::byte* p) const {
    if (__builtin_is_constant_evaluated()) return static_cast<Ref>(p - base_) + kOrigin;
    return reinterpret_cast<Ref>(p);
  }
  // A pointer into our regions (run time: any pointer) as a Ref; 0 if constant evaluation
  // cannot find it in the regions.
  constexpr Ref ref_of(const void* pointer) const {
    if (!__builtin_is_constant_evaluated()) return reinterpret_cast<Ref>(pointer);
    for (std::size_t step : {slab_bytes_, std::size_t{16}, std::size_t{1}})
      for (Ref r = lo_; r < hi_; r += step)
        if (static_cast<const void*>(at(r)) == pointer) return r;
    return 0;
  }
  TESSERA_HOT constexpr std::uint64_t get(Ref r) const { return lib::load<std::uint64_t>(at(r)); }
  TESSERA_HOT constexpr void put(Ref r, std::uint64_t v) { lib::store<std::uint64_t>(at(r), v); }

  // The object behind `pointer` and its frame ((object - 1) rounded down to the slab size), if
  // the frame's header can be read: the frame lies in our regions (asking Backing when there are
  // several). The object itself need not: a valid header below it vouches for it (a slab or a
  // large block lies wholly inside a region). nullptr fails here too (its frame is out of range).
  // One comparison when the frame is in the first region; the rest is out of line.
  template <class Backing>
  TESSERA_HOT constexpr bool find_frame(const void* pointer, const Backing& backing, Ref& object,
                                                   Ref& frame) const {
    object = ref_of(pointer);
    frame = (object - 1) & slab_mask_;
    if (frame - first_lo_ <= first_frames_) [[likely]] return true;
    return frame_elsewhere(frame, backing);
  }
  template <class Backing>
  [[gnu::noinline]] constexpr bool frame_elsewhere(Ref frame, const Backing& backing) const {
    if (frame - lo_ > frames_) return false;
    // In constant evaluation the regions lie in one array, so the frame can be read anyway, and
    // a pointer between regions fails the header check with the same error value.
    if constexpr (requires { { backing.owns(at(frame)) } -> std::same_as<bool>; }) {
      if (region_count_ > 1 && !__builtin_is_constant_evaluated()) return backing.owns(at(frame));
    }
    return true;
  }

  // find_frame failed: nullptr (fine, like free(NULL)) or a pointer outside our regions.
  template <bool Debug>
  [[gnu::noinline]] constexpr Result<void> misplaced(void* pointer, const char* operation) const {
    if (pointer == nullptr) return {};
    return fail(misuse<Debug>(operation, pointer, where(pointer)));
  }
  constexpr Misuse where(const void* pointer) const {
    const Ref object = ref_of(pointer);
    return object > lo_ && object < hi_ ? Misuse::not_object : Misuse::outside;
  }

  // The index of the object of class k at `object` in the slab at `frame`, or a number >= k.count
  // if no object starts there. One multiply and one rotate: with size = odd << twos, an offset
  // i * size times the inverse of odd is i << twos, rotated right by twos exactly i; any other
  // offset leaves low bits that the rotation makes high, or a product above 2^64 / size
  // (Granlund and Montgomery's divisibility test), so above every index.
  TESSERA_HOT static constexpr std::uint64_t index_of(const Class& k, Ref frame, Ref object) {
    const std::uint64_t product = (object - frame - k.first) * k.inverse;  // wraps below the first object
    return k.twos == 0 ? product : (product >> k.twos | product << (64 - k.twos));
  }

  // Is `object` a used object of class k in the slab at `frame` (tag already checked)?
  template <bool Debug>
  TESSERA_HOT constexpr Misuse check_object(const Class& k, Ref frame, Ref object) const {
    const std::uint64_t index = index_of(k, frame, object);
    if (index >= k.count) return Misuse::not_object;
    if constexpr (Debug) {  // never handed out, or freed
      if (!(get(frame + kBitmap + (index >> 6) * 8) >> (index & 63) & 1)) return Misuse::double_free;
    } else if (get(object + kMark) == (kFreeMark ^ object) || object - k.bump < k.bump_end - k.bump) {
      return Misuse::double_free;  // freed, or never handed out (the newest slab's objects not bumped yet)
    }
    return Misuse::none;
  }

  // Gives back the slabs of class c whose objects are all free: counts each slab's free bytes
  // (listed objects, and those of the newest slab not handed out yet), takes the objects of the
  // empty ones off the free list, then gives those back. True if it gave any back.
  template <class Backing>
  constexpr bool sweep(Class& k, unsigned c, Backing& backing) {
    if (k.slabs == 0) return false;
    for (Ref slab = k.slabs; slab != 0; slab = get(slab + kNext)) put(slab + kScratch, 0);
    for (Ref object = k.free; object != 0; object = get(object + kLink)) {
      const Ref slab = (object - 1) & slab_mask_;
      put(slab + kScratch, get(slab + kScratch) + k.size);
    }
    if (k.bump != k.bump_end) {
      const Ref slab = (k.bump_end - 1) & slab_mask_;
      put(slab + kScratch, get(slab + kScratch) + (k.bump_end - k.bump));
    }
    std::uint32_t empty = 0;
    for (Ref slab = k.slabs; slab != 0; slab = get(slab + kNext)) empty += get(slab + kScratch) == k.span ? 1 : 0;
    if (empty == 0) return false;
    Ref head = 0, tail = 0;  // the free list without the empty slabs' objects, in the same order
    for (Ref object = k.free; object != 0;) {
      const Ref next = get(object + kLink);
      if (get(((object - 1) & slab_mask_) + kScratch) != k.span) {
        if (tail == 0)
          head = object;
        else
          put(tail + kLink, object);
        tail = object;
      }
      object = next;
    }
    if (tail != 0) put(tail + kLink, 0);
    k.free = head;
    for (Ref slab = k.slabs; slab != 0;) {
      const Ref next = get(slab + kNext);
      if (get(slab + kScratch) == k.span) {
        if (k.bump_end != 0 && ((k.bump_end - 1) & slab_mask_) == slab) k.bump = k.bump_end = 0;
        unlink_slab(k, slab);
        release_slab(slab, c, backing);
      }
      slab = next;
    }
    return true;
  }

  // Nothing is in use: every slab of every class goes back. True if there was one.
  template <class Backing>
  [[gnu::noinline]] constexpr bool release_all(Backing& backing) {
    bool released = false;
    for (std::size_t c = 0; c < count_; ++c) {
      Class& k = classes_[c];
      for (Ref slab = k.slabs; slab != 0;) {
        const Ref next = get(slab + kNext);
        release_slab(slab, static_cast<unsigned>(c), backing);
        released = true;
        slab = next;
      }
      k.free = k.bump = k.bump_end = k.slabs = 0;
      k.slab_count = 0;
    }
    return released;
  }

  // Not a slab object: a large block, or misuse.
  template <bool Debug, class Backing>
  [[gnu::noinline]] constexpr Result<void> free_other(Ref frame, Ref object, void* pointer, Backing& backing) {
    const std::uint64_t tag = get(frame + kTag);
    if (tag != (kLargeMagic ^ frame) || get(frame + kLargeUser) != object)
      return fail(misuse<Debug>("deallocate", pointer, classify_other(tag, frame, object)));
    const Ref block = get(frame + kLargeBlock);
    const std::size_t bytes = get(frame + kLargeBytes);
    put(frame + kTag, kFreedLargeMagic ^ frame);  // a second free is recognised (Backing's links do not reach it)
    in_use_ -= bytes;
    large_in_use_ -= bytes;
    const Result<void> freed = backing.deallocate(at(block));
    if (in_use_ == 0) release_all(backing);
    return freed;
  }

  constexpr Misuse classify_other(std::uint64_t tag, Ref frame, Ref object) const {
    if (tag == (kLargeMagic ^ frame) || tag == (kFreedLargeMagic ^ frame))
      return get(frame + kLargeUser) == object && tag != (kLargeMagic ^ frame) ? Misuse::double_free
                                                                                : Misuse::not_object;
    const std::uint64_t c = tag ^ kFreedSlabMagic ^ frame;  // an object of a slab given back: it was freed
    if (c < count_) {
      if (index_of(classes_[c], frame, object) < classes_[c].count) return Misuse::double_free;
    }
    return object > lo_ && object < hi_ ? Misuse::not_object : Misuse::outside;
  }

  // Another slab for class c from Backing (sweeping the empty slabs back to it first if it has
  // no memory left), its objects to be handed out by bump in address order (they need no mark:
  // the bump range says they were never handed out).
  template <bool Debug, class Backing>
  [[gnu::noinline]] constexpr bool add_slab(Class& k, unsigned c, Backing& backing) {
    Result<void*> got = backing.allocate(slab_bytes_, slab_bytes_);
    if (!got.ok() && reclaim(backing)) got = backing.allocate(slab_bytes_, slab_bytes_);
    if (!got.ok()) return false;
    const Ref slab = ref_of(got.value());
    put(slab + kNext, k.slabs);
    put(slab + kPrev, 0);
    if (k.slabs != 0) put(k.slabs + kPrev, slab);
    k.slabs = slab;
    ++k.slab_count;
    put(slab + kScratch, 0);
    put(slab + kTag, kSlabMagic ^ slab ^ c);
    if constexpr (Debug)
      for (Ref word = slab + kBitmap; word < slab + kBitmap + (k.span / k.size + 63) / 64 * 8; word += 8) put(word, 0);
    k.bump = slab + k.first;
    k.bump_end = k.bump + k.span;
    held_ += k.span;
    return true;
  }

  constexpr void unlink_slab(Class& k, Ref slab) {
    const Ref next = get(slab + kNext), prev = get(slab + kPrev);
    if (prev != 0)
      put(prev + kNext, next);
    else
      k.slabs = next;
    if (next != 0) put(next + kPrev, prev);
    --k.slab_count;
  }

  template <class Backing>
  constexpr void release_slab(Ref slab, unsigned c, Backing& backing) {
    put(slab + kTag, kFreedSlabMagic ^ slab ^ c);  // a later free of one of its objects is a double free
    held_ -= classes_[c].span;
    (void)backing.deallocate(at(slab));
  }

  // Debug: the used-object bitmap bit of `object` (set on allocate, cleared on free).
  constexpr void flip_bit(const Class& k, Ref object) {
    const Ref slab = (object - 1) & slab_mask_;
    const std::uint64_t index = index_of(k, slab, object);
    const Ref word = slab + kBitmap + (index >> 6) * 8;
    put(word, get(word) ^ std::uint64_t{1} << (index & 63));
  }

  // Debug: an object about to be handed out from the free list must be a free object of class c
  // in a slab of ours (by its slab's tag, its bitmap bit and its free mark), and its link must
  // lead to another such object, or nowhere: a write into a freed object is caught here.
  constexpr void check_free_object(unsigned c, Ref object) const {
    bool ok = is_free_object(c, object);
    if (ok) {
      const Ref next = get(object + kLink);
      ok = next == 0 || is_free_object(c, next);
    }
    if (!ok) report("allocate", __builtin_is_constant_evaluated() ? nullptr : at(object), Misuse::corrupt);
  }
  constexpr bool is_free_object(unsigned c, Ref object) const {
    const Class& k = classes_[c];
    const Ref slab = (object - 1) & slab_mask_;
    if (slab - lo_ > frames_ || get(slab + kTag) != (kSlabMagic ^ slab ^ c)) return false;
    const std::uint64_t index = index_of(k, slab, object);
    return index < k.count && !(get(slab + kBitmap + (index >> 6) * 8) >> (index & 63) & 1) &&
           get(object + kMark) == (kFreeMark ^ object);
  }

  static constexpr const char* describe(Misuse m) {
    switch (m) {
      case Misuse::outside: return "not owned (outside every region)";
      case Misuse::not_object: return "not owned (not the start of an object or block)";
      case Misuse::double_free: return "double free";
      case Misuse::corrupt: return "corrupted free list";
      case Misuse::none: break;
    }
    return "?";
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void report(const char* operation, const void* address, Misuse m) {
    tessera_allocator_misuse("alloc::Slab", operation, address, describe(m));
  }

  template <bool Debug>
  static constexpr Error misuse(const char* operation, const void* address, Misuse m) {
    if constexpr (Debug) report(operation, address, m);  // does not return
    return m == Misuse::double_free ? Error::double_free : Error::not_owned;
  }

  Class classes_[kMaxClasses] = {};
  std::uint64_t count_ = 0;            // classes in use
  std::size_t slab_bytes_;
  Ref slab_mask_;
  std::byte* base_ = nullptr;          // the first region's begin (constant-evaluation origin)
  std::size_t region_count_ = 0;
  Ref lo_ = 0, hi_ = 0;                // every region lies in [lo_, hi_)
  Ref frames_ = 0;                     // a frame's header can be read if frame - lo_ <= frames_ (and Backing owns it)
  Ref first_lo_ = 0, first_frames_ = 0;  // the same for the first region alone
  std::size_t in_use_ = 0, peak_ = 0, large_in_use_ = 0;
  std::size_t held_ = 0;               // object bytes of the slabs held (objects per slab * size each)
};

}  // namespace detail

template <SlabOptions Options = SlabOptions{}, class Backing = Buddy<>>
class Slab {
  using Core = detail::SlabCore;

  static constexpr std::size_t count_classes() {
    std::size_t n = 0;
    while (n < Core::kMaxClasses && Options.sizes[n] != 0) ++n;
    return n;
  }
  static constexpr bool sizes_valid() {
    const std::size_t n = count_classes();
    for (std::size_t i = n; i < Core::kMaxClasses; ++i)
      if (Options.sizes[i] != 0) return false;  // a gap: a class after an unused entry
    for (std::size_t i = 0; i < n; ++i)
      if (Options.sizes[i] % 16 != 0 || (i > 0 && Options.sizes[i] <= Options.sizes[i - 1])) return false;
    return n > 0;
  }
  static constexpr std::size_t kCount = count_classes();

  static_assert(api::Allocator<Backing>, "alloc::Slab<Options, Backing>: Backing must model api::Allocator (e.g. alloc::Buddy<>)");
  static_assert(sizes_valid(),
                "alloc::Slab: .sizes must be at least one class, ascending multiples of 16, unused entries 0 at the end");
  static_assert(lib::is_power_of_two(Options.slab_bytes) && Options.slab_bytes >= 128 &&
                    Options.slab_bytes <= (std::size_t{1} << 32),
                "alloc::Slab: .slab_bytes must be a power of two from 128 bytes to 4 GiB");
  static_assert(!kCount ||
                    Core::first_object(Core::header_bytes(Options.slab_bytes, Options.sizes[0], Options.debug),
                                       Options.sizes[kCount - 1]) + Options.sizes[kCount - 1] <= Options.slab_bytes,
                "alloc::Slab: .slab_bytes too small for the largest class in .sizes (plus the slab header)");
  static_assert(!api::PageAllocator<Backing> || Options.slab_bytes % page_size_of<Backing>() == 0,
                "alloc::Slab: .slab_bytes must be a multiple of Backing's page_size");

  static constexpr std::size_t kMaxSmall = kCount ? Options.sizes[kCount - 1] : 0;

  // The class of each request of up to kMaxSmall bytes with alignment <= 16, by (size + 15) / 16.
  struct Table {
    unsigned char classes[kMaxSmall / 16 + 1];
  };
  static constexpr Table make_table() {
    Table t{};
    unsigned c = 0;
    for (std::size_t i = 0; i <= kMaxSmall / 16; ++i) {
      while (Options.sizes[c] < i * 16) ++c;
      t.classes[i] = static_cast<unsigned char>(c);
    }
    return t;
  }
  static constexpr Table kTable = make_table();

 public:
  static constexpr const char* name = "alloc::Slab";
  // The largest request it serves (alignment up to 64): a large block is Backing's, after a
  // 64-byte header; 0 when Backing has no limit.
  static constexpr std::size_t max_block = [] {
    if constexpr (requires { Backing::max_block; })
      return Backing::max_block - detail::SlabCore::kLargeHeader;
    else
      return std::size_t{0};
  }();
  static constexpr SlabOptions options = Options;
  static constexpr std::size_t class_count = kCount;
  static constexpr std::size_t max_small = kMaxSmall;                  // larger requests go to Backing
  static constexpr std::size_t slab_bytes = Options.slab_bytes;
  static constexpr std::size_t large_header = Core::kLargeHeader;
  using backing_type = Backing;

  constexpr Slab() = default;

  // Regions go to Backing.
  constexpr Result<void> add_region(MemoryRegion region) {
    const Result<void> added = backing_.add_region(region);
    if (added.ok()) core_.note_region(region);
    return added;
  }

  TESSERA_HOT constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    if (size <= kMaxSmall && align < 32 && (0x10116u >> align & 1)) [[likely]]  // align 1, 2, 4, 8 or 16
      return core_.template allocate<Options.debug>(kTable.classes[(size + 15) >> 4], backing_);
    return allocate_other(size, align);
  }

  TESSERA_HOT constexpr Result<void> deallocate(void* p) {
    return core_.template deallocate<Options.debug>(p, backing_);
  }

  // Stays in place while the new size fits (the class size, or the large request); otherwise
  // allocates, copies and frees. 16-byte alignment, like C realloc.
  constexpr Result<void*> reallocate(void* p, std::size_t size) {
    if (p == nullptr) return allocate(size, 16);
    const Result<std::size_t> usable = core_.template usable_size<Options.debug>(p, backing_, "reallocate");
    if (!usable.ok()) return fail(usable.error());
    if (size <= usable.value()) return p;
    const Result<void*> moved = allocate(size, 16);
    if (!moved.ok()) return moved;
    core_.copy(moved.value(), p, usable.value());
    (void)deallocate(p);
    return moved;
  }

  constexpr api::AllocatorStats stats() const { return core_.stats(backing_.stats()); }

  // Gives every empty slab back to Backing now (they also go back by themselves when nothing is
  // allocated any more, or when Backing runs out). O(free objects). True if there was one.
  constexpr bool trim() { return core_.reclaim(backing_); }
  // Slabs held by the class of `size`-byte objects (e.g. to watch them go back).
  constexpr std::size_t slabs_of(std::size_t size) const {
    return size <= kMaxSmall ? core_.slabs(kTable.classes[(size + 15) >> 4]) : 0;
  }

  // Purpose-specific allocators (alloc/purpose.hpp): objects from the slabs, pages from Backing.
  constexpr Slab& objects() { return *this; }
  constexpr Backing& pages() { return backing_; }
  constexpr Backing& backing() { return backing_; }
  constexpr const Backing& backing() const { return backing_; }

 private:
  constexpr Result<void*> allocate_other(std::size_t size, std::size_t align) {
    if (!lib::is_power_of_two(align)) return fail(Error::invalid_argument);
    if (size <= kMaxSmall)
      for (unsigned c = 0; c < kCount; ++c) {
        const std::size_t class_size = Options.sizes[c];
        if (class_size >= size && (class_size & (~class_size + 1)) >= align)
          return core_.template allocate<Options.debug>(c, backing_);
      }
    return core_.allocate_large(size, align, backing_);
  }

  Backing backing_;
  Core core_{Options.sizes, Options.slab_bytes, Options.debug};
};

static_assert(api::Allocator<Slab<>>);
static_assert(api::ReallocatingAllocator<Slab<>>);

}  // namespace tessera::alloc
