#pragma once
// Purpose-specific allocators, chosen by the kernel type. The kernel asks its allocator for
// the one to use for a purpose; a component that has a better one offers it by name:
//   pages()   — whole, page-aligned pages (thread stacks, page tables, DMA buffers);
//   objects() — small fixed-size objects (slab caches).
// Otherwise the general allocator serves every purpose. E.g. alloc::Slab<{…}, alloc::Buddy<>>
// serves objects itself and pages from its Buddy; Staged forwards to its application allocator.
// Cost: none — resolved at compile time to a reference.

#include <cstddef>

#include "tessera/api/allocator.hpp"

namespace tessera::alloc {

template <api::Allocator A>
constexpr auto& pages_of(A& allocator) {
  if constexpr (requires { allocator.pages(); })
    return allocator.pages();
  else
    return allocator;
}

template <api::Allocator A>
constexpr auto& objects_of(A& allocator) {
  if constexpr (requires { allocator.objects(); })
    return allocator.objects();
  else
    return allocator;
}

// The page size to ask for from pages_of(): the allocator's own, or 4 KiB.
template <class A>
constexpr std::size_t page_size_of() {
  if constexpr (requires { A::page_size; })
    return A::page_size;
  else
    return 4096;
}

}  // namespace tessera::alloc
