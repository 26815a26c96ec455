#pragma once
// alloc::Staged<Boot, App> — two allocators in one image: a simple, fast one serves early
// initialisation; at hand-over (Kernel::boot, after the devices are initialised and before
// the application starts) the memory the boot allocator never used goes to the application
// allocator, which serves everything from then on. Blocks from the boot allocator stay valid
// and can still be freed (each free goes to the allocator that owns the block).
//
// Boot must be able to give up its unused tail (`release_unused()`, e.g. alloc::Region).
// Cost: one flag test per allocate, one range test per free; no memory of its own. The
// hand-over costs whatever App's add_region costs (O(1) for Tlsf and Buddy).

#include <concepts>

#include "tessera/api/allocator.hpp"
#include "tessera/lib/bits.hpp"

namespace tessera::alloc {

template <class A>
concept ReleasingAllocator = api::Allocator<A> && requires(A& a) {
  { a.release_unused() } -> std::same_as<MemoryRegion>;
};

template <class Boot, class App>
class Staged {
  static_assert(ReleasingAllocator<Boot>,
                "alloc::Staged<Boot, App>: Boot must model api::Allocator and give up its unused memory "
                "(release_unused()), e.g. alloc::Region<>");
  static_assert(api::Allocator<App>, "alloc::Staged<Boot, App>: App must model api::Allocator");

 public:
  static constexpr const char* name = "alloc::Staged";

  // Before the hand-over the first region goes to Boot and later ones wait for App; after it
  // every region goes to App.
  constexpr Result<void> add_region(MemoryRegion region) {
    if (handed_over_) return app_.add_region(region);
    if (boot_region_.begin == nullptr) {
      boot_region_ = region;
      return boot_.add_region(region);
    }
    return app_.add_region(region);
  }

  // Moves Boot's unused memory to App; later allocations come from App. Idempotent.
  constexpr Result<void> handover() {
    if (handed_over_) return {};
    const MemoryRegion tail = boot_.release_unused();
    boot_region_.end = tail.begin != nullptr ? tail.begin : boot_region_.end;
    handed_over_ = true;
    if (tail.empty()) return {};
    return app_.add_region(tail);
  }

  constexpr Result<void*> allocate(std::size_t size, std::size_t align) {
    return handed_over_ ? app_.allocate(size, align) : boot_.allocate(size, align);
  }

  constexpr Result<void> deallocate(void* p) {
    if (p == nullptr) return {};
    if (!handed_over_ || in_boot_region(p)) return boot_.deallocate(p);
    return app_.deallocate(p);
  }

  // realloc for the C heap, when App can resize. A block of App's is resized by App. A boot
  // block moves: Boot does not record block sizes, but the block lies inside the boot region,
  // so copying min(size, bytes up to the region's end) keeps all of its contents (and at most
  // copies bytes beyond it that nobody reads). Not constexpr: it copies through void*.
  Result<void*> reallocate(void* p, std::size_t size)
    requires api::ReallocatingAllocator<App>
  {
    if (p == nullptr) return allocate(size, 16);
    if (handed_over_ && !in_boot_region(p)) return app_.reallocate(p, size);
    auto moved = allocate(size, 16);
    if (!moved) return moved;
    const auto available = static_cast<std::size_t>(boot_region_.end - static_cast<std::byte*>(p));
    __builtin_memmove(moved.value(), p, size < available ? size : available);  // may overlap: a bump allocator's next block
    if (auto freed = deallocate(p); !freed) {
      (void)deallocate(moved.value());  // the caller keeps the old block
      return fail(freed.error());
    }
    return moved;
  }

  constexpr api::AllocatorStats stats() const {
    const auto b = boot_.stats(), a = app_.stats();
    return {.bytes_in_use = b.bytes_in_use + a.bytes_in_use,
            .peak_in_use = b.peak_in_use + a.peak_in_use,
            .bytes_free = b.bytes_free + a.bytes_free,
            .largest_free = b.largest_free > a.largest_free ? b.largest_free : a.largest_free};
  }

  constexpr bool handed_over() const { return handed_over_; }
  constexpr Boot& boot() { return boot_; }
  constexpr App& app() { return app_; }

  // No pages()/objects(): K::page_allocator() and K::object_allocator() are Staged itself
  // (alloc/purpose.hpp), so a device that takes its buffers during boot gets them from Boot,
  // and later requests go to App (a Slab passes large ones on to its Backing). Forwarding to
  // App's backing instead handed out pages from an allocator that had no memory yet before
  // the hand-over: found by configfuzz (block::Ramdisk, Staged<Region, Slab>, out of memory at
  // boot); tests/configfuzz/regressions/staged-slab-device-at-boot.config.

 private:
  constexpr bool in_boot_region(void* p) const {
    if (__builtin_is_constant_evaluated()) {  // no ordering of pointers there: compare for equality
      for (std::byte* q = boot_region_.begin; q != boot_region_.end; ++q)
        if (static_cast<void*>(q) == p) return true;
      return false;
    }
    auto* b = static_cast<std::byte*>(p);
    return b >= boot_region_.begin && b < boot_region_.end;
  }

  Boot boot_{};
  App app_{};
  MemoryRegion boot_region_{};
  bool handed_over_ = false;
};

}  // namespace tessera::alloc
