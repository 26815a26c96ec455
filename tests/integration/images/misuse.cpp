// Allocator misuse on purpose: a double free, a pointer the allocator never handed out, and
// requests whose size arithmetic would overflow. Built per allocator (TESSERA_TEST_ALLOCATOR:
// Tlsf, Buddy, Slab) and debug setting (TESSERA_TEST_DEBUG):
//   debug on  — the first misuse (TESSERA_TEST_MISUSE: 1 double free, 2 foreign pointer) is
//               reported (allocator, operation, address) and the kernel exits with status 70;
//   debug off — every misuse comes back as an error value, and the heap still works: the
//               statistics are back to where they started.
// Oversized requests are "out of memory" either way.

#include <cstdint>
#include <cstdio>

#include <tessera/tessera.hpp>

#if !defined(TESSERA_TEST_ALLOCATOR) || !defined(TESSERA_TEST_DEBUG) || !defined(TESSERA_TEST_MISUSE)
#error "define TESSERA_TEST_ALLOCATOR (Tlsf, Buddy, Slab), TESSERA_TEST_DEBUG (true, false) and TESSERA_TEST_MISUSE (1, 2)"
#endif

namespace alloc = tessera::alloc;
using Heap = alloc::TESSERA_TEST_ALLOCATOR<{.debug = TESSERA_TEST_DEBUG}>;
using App = tessera::Kernel<Heap, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

namespace {

int failures = 0;

void expect(bool condition, const char* what) {
  std::printf("%s %s\n", condition ? "ok:" : "FAILED:", what);
  if (!condition) ++failures;
}

template <class R>
const char* outcome(const R& result) {
  return result.ok() ? "succeeded" : tessera::to_string(result.error());
}

int misuse_main() {
  auto& heap = App::alloc();
  const auto before = heap.stats();
  std::printf("allocator %s, debug %s\n", Heap::name, TESSERA_TEST_DEBUG ? "on" : "off");

  // Size arithmetic that would overflow: refused as out of memory, debug or not.
  volatile std::size_t huge = SIZE_MAX;  // volatile: no constant folding of the request
  auto r1 = heap.allocate(huge, 16);
  auto r2 = heap.allocate(huge - 8, 16);
  auto r3 = heap.allocate(64, std::size_t{1} << 62);
  std::printf("allocate(SIZE_MAX): %s; allocate(SIZE_MAX - 8): %s; allocate(64, 2^62): %s\n", outcome(r1),
              outcome(r2), outcome(r3));
  expect(!r1 && r1.error() == tessera::Error::out_of_memory && !r2 && r2.error() == tessera::Error::out_of_memory &&
             !r3 && r3.error() == tessera::Error::out_of_memory,
         "oversized requests are out of memory");

  auto block = heap.allocate(100, 16);
  expect(block.ok(), "allocate(100) after them");
  if (!block) return 1;
  auto* bytes = static_cast<unsigned char*>(block.value());
  bytes[0] = 0xa5;
  (void)heap.deallocate(block.value());

  if (TESSERA_TEST_MISUSE == 1) {
    std::printf("freeing %p a second time\n", block.value());
    auto again = heap.deallocate(block.value());
    std::printf("second free: %s\n", outcome(again));
    expect(!again && again.error() == tessera::Error::double_free, "a double free is refused as double_free");
  } else {
    static unsigned char outside[64];  // .bss: never part of the heap
    void* foreign = outside + 16;
    std::printf("freeing %p, which the allocator never handed out\n", foreign);
    auto foreign_free = heap.deallocate(foreign);
    std::printf("foreign free: %s\n", outcome(foreign_free));
    expect(!foreign_free && foreign_free.error() == tessera::Error::not_owned, "a foreign pointer is refused as not_owned");
  }

  // The heap is intact: everything can be allocated and freed again, statistics as before.
  void* blocks[32];
  bool all = true;
  for (int i = 0; i < 32; ++i) {
    auto b = heap.allocate(64 + 200 * i, 16);
    all = all && b.ok();
    blocks[i] = b.ok() ? b.value() : nullptr;
    if (blocks[i] != nullptr) static_cast<unsigned char*>(blocks[i])[0] = static_cast<unsigned char>(i);
  }
  for (void* b : blocks) all = all && heap.deallocate(b).ok();
  expect(all, "32 blocks allocated and freed after the misuse");
  const auto after = heap.stats();
  std::printf("bytes in use %zu (before %zu), bytes free %zu (before %zu)\n", after.bytes_in_use,
              before.bytes_in_use, after.bytes_free, before.bytes_free);
  expect(heap.stats().bytes_in_use == before.bytes_in_use && heap.stats().bytes_free == before.bytes_free,
         "the statistics are back to where they started");
  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

TESSERA_MAIN(App, misuse_main)
