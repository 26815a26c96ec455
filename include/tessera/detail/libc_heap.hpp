#pragma once
// The C and C++ heap of a bare-metal image: malloc/free/calloc/realloc/aligned_alloc/
// memalign/posix_memalign and operator new/delete call the kernel's allocator directly (a
// direct call: no pointer table, picolibc's own malloc is never linked). TESSERA_MAIN defines
// them for the application's kernel type. The hosted platform keeps glibc's heap: the C
// runtime uses it before the kernel boots.
//
// malloc returns 16-byte aligned blocks (alignof(max_align_t)); realloc needs an allocator
// that models api::ReallocatingAllocator (otherwise it fails with ENOMEM and keeps the block);
// operator new follows the standard when memory runs out: it calls the new-handler
// (std::set_new_handler) and tries again; without one it raises std::bad_alloc, which stops
// the image with a message and exit_status_out_of_memory when exceptions are off
// (src/libc/fatal.cpp). The nothrow forms return null. Each call is inside the scheduler's
// critical section (sync::detail::critical_section: interrupts masked under sched::Preemptive,
// nothing otherwise), so threads that may be preempted can share the heap (std::thread does).

#include <errno.h>

#include <cstddef>
#include <new>
#include <type_traits>

#include "tessera/api/allocator.hpp"
#include "tessera/sched/detail/smp.hpp"
#include "tessera/sync/detail/misuse.hpp"

// src/libc/fatal.cpp: calls the new-handler (then returns) or raises std::bad_alloc.
extern "C" void tessera_cxx_out_of_memory(std::size_t size, std::size_t alignment);

namespace tessera::detail {

template <class K>
struct LibcHeap {
  static constexpr std::size_t kMallocAlign = 16;

  // Held around each call into the allocator: between cores the heap lock (HeapGuard, IRQs
  // masked); on one core the scheduler's critical section (IRQs masked under
  // sched::Preemptive, so preempted threads may share the heap; nothing otherwise).
  struct NoLock {};
  template <class L, bool = L::well_formed>
  struct LockOf {
    using type = NoLock;
  };
  template <class L>
  struct LockOf<L, true> {
    using type = std::conditional_t<(L::cores > 1), sched::detail::HeapGuard<L>, sync::detail::critical_section<L>>;
  };
  using Lock = typename LockOf<K>::type;

  // The kernel's allocator, only when the kernel type is valid (so a wrong Kernel<…> argument
  // stays one diagnostic: Kernel's static_assert).
  static Result<void*> take(std::size_t size, std::size_t align) {
    if constexpr (K::well_formed) {
      [[maybe_unused]] Lock heap;
      return K::alloc().allocate(size, align < kMallocAlign ? kMallocAlign : align);
    } else      return fail(Error::not_supported);
  }

  static void* allocate(std::size_t size, std::size_t align) {
    auto block = take(size, align);
    if (block.ok()) return block.value();
    errno = block.error() == Error::invalid_argument ? EINVAL : ENOMEM;
    return nullptr;
  }

  static void release(void* p) {
    if constexpr (K::well_formed) {
      [[maybe_unused]] Lock heap;
      (void)K::alloc().deallocate(p);
    }
  }

  static void* zeroed(std::size_t count, std::size_t size) {
    std::size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
      errno = ENOMEM;
      return nullptr;
    }
    void* p = allocate(bytes, kMallocAlign);
    if (p != nullptr) __builtin_memset(p, 0, bytes);
    return p;
  }

  static void* resize(void* p, std::size_t size) {
    if (p == nullptr) return allocate(size, kMallocAlign);
    if constexpr (K::well_formed && api::ReallocatingAllocator<typename K::allocator_type>) {
      auto block = [&] {
        [[maybe_unused]] Lock heap;
        return K::alloc().reallocate(p, size);
      }();
      if (block.ok()) return block.value();
    }
    errno = ENOMEM;
    return nullptr;
  }

  static int posix_aligned(void** out, std::size_t align, std::size_t size) {
    if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0) return EINVAL;
    void* p = allocate(size, align);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
  }

  static void* new_or_stop(std::size_t size, std::size_t align) {
    for (;;) {
      auto block = take(size, align);
      if (block.ok()) return block.value();
      tessera_cxx_out_of_memory(size, align < kMallocAlign ? kMallocAlign : align);
    }
  }
};

}  // namespace tessera::detail

#if defined(TESSERA_PLATFORM_HOSTED)
#define TESSERA_DETAIL_LIBC_HEAP(K)
#else
#define TESSERA_DETAIL_LIBC_HEAP(K)                                                                                  \
  extern "C" void* malloc(std::size_t size) noexcept { return ::tessera::detail::LibcHeap<K>::allocate(size, 16); } \
  extern "C" void free(void* p) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }                           \
  extern "C" void* calloc(std::size_t n, std::size_t size) noexcept {                                                \
    return ::tessera::detail::LibcHeap<K>::zeroed(n, size);                                                          \
  }                                                                                                                  \
  extern "C" void* realloc(void* p, std::size_t size) noexcept { return ::tessera::detail::LibcHeap<K>::resize(p, size); } \
  extern "C" void* aligned_alloc(std::size_t align, std::size_t size) noexcept {                                     \
    return ::tessera::detail::LibcHeap<K>::allocate(size, align);                                                    \
  }                                                                                                                  \
  extern "C" void* memalign(std::size_t align, std::size_t size) noexcept {                                          \
    return ::tessera::detail::LibcHeap<K>::allocate(size, align);                                                    \
  }                                                                                                                  \
  extern "C" int posix_memalign(void** out, std::size_t align, std::size_t size) noexcept {                          \
    return ::tessera::detail::LibcHeap<K>::posix_aligned(out, align, size);                                          \
  }                                                                                                                  \
  void* operator new(std::size_t size) { return ::tessera::detail::LibcHeap<K>::new_or_stop(size, 16); }            \
  void* operator new[](std::size_t size) { return ::tessera::detail::LibcHeap<K>::new_or_stop(size, 16); }          \
  void* operator new(std::size_t size, std::align_val_t a) {                                                         \
    return ::tessera::detail::LibcHeap<K>::new_or_stop(size, static_cast<std::size_t>(a));                          \
  }                                                                                                                  \
  void* operator new[](std::size_t size, std::align_val_t a) {                                                       \
    return ::tessera::detail::LibcHeap<K>::new_or_stop(size, static_cast<std::size_t>(a));                          \
  }                                                                                                                  \
  void* operator new(std::size_t size, const std::nothrow_t&) noexcept {                                             \
    return ::tessera::detail::LibcHeap<K>::allocate(size, 16);                                                       \
  }                                                                                                                  \
  void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {                                           \
    return ::tessera::detail::LibcHeap<K>::allocate(size, 16);                                                       \
  }                                                                                                                  \
  void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {                         \
    return ::tessera::detail::LibcHeap<K>::allocate(size, static_cast<std::size_t>(a));                              \
  }                                                                                                                  \
  void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {                       \
    return ::tessera::detail::LibcHeap<K>::allocate(size, static_cast<std::size_t>(a));                              \
  }                                                                                                                  \
  void operator delete(void* p) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }                             \
  void operator delete[](void* p) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }                           \
  void operator delete(void* p, std::size_t) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }               \
  void operator delete[](void* p, std::size_t) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }             \
  void operator delete(void* p, std::align_val_t) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }          \
  void operator delete[](void* p, std::align_val_t) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }        \
  void operator delete(void* p, std::size_t, std::align_val_t) noexcept { ::tessera::detail::LibcHeap<K>::release(p); } \
  void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {                                          \
    ::tessera::detail::LibcHeap<K>::release(p);                                                                      \
  }                                                                                                                  \
  void operator delete(void* p, const std::nothrow_t&) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }     \
  void operator delete[](void* p, const std::nothrow_t&) noexcept { ::tessera::detail::LibcHeap<K>::release(p); }   \
  void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {                                  \
    ::tessera::detail::LibcHeap<K>::release(p);                                                                      \
  }                                                                                                                  \
  void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {                                \
    ::tessera::detail::LibcHeap<K>::release(p);                                                                      \
  }
#endif
