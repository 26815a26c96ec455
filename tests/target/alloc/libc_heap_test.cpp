// Runs inside QEMU: malloc/calloc/free and new/delete go straight to the kernel's allocator,
// and alloc::Staged hands the memory over from its boot allocator to the application's at
// the documented point (after the devices, before the application).

#include <cstdint>
#include <stdlib.h>  // the C functions under test, as C code calls them
#include <cstring>

#include <tessera/alloc/staged.hpp>
#include <tessera/alloc/tlsf.hpp>
#include <tessera/tessera.hpp>

#include "../check.hpp"

using Heap = tessera::alloc::Staged<tessera::alloc::Region<>, tessera::alloc::Tlsf<{.debug = true}>>;
using App = tessera::Kernel<Heap, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirtAarch64>;

namespace {

// Allocated by a global constructor, i.e. before the hand-over: from the boot allocator.
struct EarlyUser {
  int* numbers = new int[16];
  char* text = static_cast<char*>(malloc(32));
  EarlyUser() { std::strcpy(text, "allocated before the hand-over"); }
} early;


int run() {
  auto& heap = App::alloc();
  CHECK(heap.handed_over());
  CHECK(heap.boot().stats().bytes_in_use >= 16 * sizeof(int));  // the constructor's block
  CHECK(heap.boot().stats().bytes_free == 0);                    // its unused tail went to App
  CHECK(heap.app().stats().bytes_free > (50u << 20));

  const auto app_before = heap.app().stats().bytes_in_use;
  void* p = malloc(100);
  CHECK(p != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
  CHECK(heap.app().stats().bytes_in_use > app_before);  // served by the application allocator
  free(p);

  auto* zeros = static_cast<unsigned char*>(calloc(64, 4));
  bool all_zero = zeros != nullptr;
  for (int i = 0; all_zero && i < 256; ++i) all_zero = zeros[i] == 0;
  CHECK(all_zero);
  CHECK(calloc(SIZE_MAX / 2, 4) == nullptr);  // the product overflows: refused, not wrapped
  volatile std::size_t huge = SIZE_MAX;  // volatile: the compiler would warn about a constant
  CHECK(malloc(huge) == nullptr);
  void* aligned = aligned_alloc(4096, 4096);
  CHECK(aligned != nullptr && reinterpret_cast<std::uintptr_t>(aligned) % 4096 == 0);

  // realloc: an application block grows and shrinks in place or moves, keeping its bytes; a
  // boot block moves to the application allocator with its bytes.
  auto* grown = static_cast<unsigned char*>(malloc(40));
  for (int i = 0; i < 40; ++i) grown[i] = static_cast<unsigned char>(i + 1);
  grown = static_cast<unsigned char*>(realloc(grown, 5000));
  bool kept = grown != nullptr;
  for (int i = 0; kept && i < 40; ++i) kept = grown[i] == i + 1;
  CHECK(kept);
  grown = static_cast<unsigned char*>(realloc(grown, 8));
  CHECK(grown != nullptr && grown[7] == 8);
  free(grown);
  char* moved = static_cast<char*>(realloc(early.text, 4096));
  CHECK(moved != nullptr && moved != early.text && std::strcmp(moved, "allocated before the hand-over") == 0);
  free(moved);

  auto* object = new std::uint64_t(42);
  CHECK(*object == 42);
  delete object;

  delete[] early.numbers;  // a boot-allocator block freed after the hand-over: goes back to Boot
  CHECK(heap.boot().stats().bytes_in_use < 16 * sizeof(int) + 64);

  // Purpose-specific allocators fall back to the general one when the kernel names none.
  CHECK(&App::page_allocator() == &App::alloc());
  printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
