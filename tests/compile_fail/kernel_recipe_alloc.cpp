// A recipe (a component with `template <class K> class bind`) whose bound component lacks
// most of the Allocator API: the check applies to what the recipe binds to.
// expect: the 1st argument (Alloc) does not model tessera::api::Allocator
// expect: kernel_recipe_alloc.cpp:18:

#include <tessera/tessera.hpp>

struct HalfAllocator {
  template <class K>
  class bind {
   public:
    static constexpr const char* name = "HalfAllocator";
    tessera::Result<void*> allocate(std::size_t, std::size_t) { return tessera::fail(tessera::Error::out_of_memory); }
  };
};

using App = tessera::Kernel<HalfAllocator, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
