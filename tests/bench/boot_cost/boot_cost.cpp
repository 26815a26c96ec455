// Boot-cost image for `./tessera bench alloc` on qemu-virt-aarch64, built once per page-table
// strategy (TESSERA_BENCH_PAGE_TABLES). Prints one JSON object:
//   - the generic counter's value when the application starts (ticks since reset, so the
//     emulated time boot took), and its frequency;
//   - per allocator, the time to take all of the platform's free memory (add_region on a
//     fresh instance), averaged over 64 calls because one is below the counter's 16 ns
//     resolution (median of 15 such samples). The kernel itself uses alloc::Region, so the
//     boot figures are the page tables' and the platform's alone.
// The CLI adds the deterministic figure: guest instructions to tessera_mmu_on and tessera_main.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <new>

#include <tessera/alloc/buddy.hpp>
#include <tessera/alloc/slab.hpp>
#include <tessera/alloc/tlsf.hpp>
#include <tessera/tessera.hpp>

using Platform = tessera::platform::QemuVirt<{.page_tables = tessera::arch::aarch64::PageTables::TESSERA_BENCH_PAGE_TABLES}>;
using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, Platform>;

namespace {

std::uint64_t counter_at_entry;

constexpr int kInstances = 64;     // add_region calls per sample (one is below the 16 ns resolution)
constexpr int kSamples = 15;       // the median sample is reported
constexpr std::size_t kInstanceBytes = 16 * 1024;  // room for the largest allocator object
static_assert(sizeof(tessera::alloc::Tlsf<>) <= kInstanceBytes && sizeof(tessera::alloc::Slab<>) <= kInstanceBytes);

// Picoseconds per add_region of `region` on a fresh allocator: fresh objects are constructed before the
// clock starts, so only add_region is timed.
template <class A>
unsigned long long init_ps(std::byte* storage, tessera::MemoryRegion region) {
  std::uint64_t samples[kSamples];
  for (auto& sample : samples) {
    A* instances[kInstances];
    for (int i = 0; i < kInstances; ++i) instances[i] = new (storage + i * kInstanceBytes) A{};
    const auto t0 = Platform::clock::now();
    for (A* a : instances) {
      if (!a->add_region(region)) return ~0ull;
      asm volatile("" ::"r"(a) : "memory");
    }
    sample = Platform::clock::now() - t0;
  }
  std::sort(samples, samples + kSamples);
  // Picoseconds, printed as an integer: bare-metal printf is integer-only by default.
  return static_cast<unsigned long long>(samples[kSamples / 2]) * 1'000'000'000'000ull /
         Platform::clock::frequency() / kInstances;
}

int bench_main() {
  counter_at_entry = Platform::clock::now();
  const auto frequency = Platform::clock::frequency();
  auto storage = App::alloc().allocate(kInstances * kInstanceBytes, 64);
  if (!storage) return 1;
  // Then all the rest of the free RAM: the region each allocator would get at boot.
  const auto free = App::alloc().stats().bytes_free;
  auto block = App::alloc().allocate(free - 4096, 4096);
  if (!block) return 1;
  auto* begin = static_cast<std::byte*>(block.value());
  const tessera::MemoryRegion region{begin, begin + (free - 4096)};
  auto* objects = static_cast<std::byte*>(storage.value());
  std::printf("{\"page_tables\": \"%s\", \"counter_at_main_ticks\": %llu, \"counter_hz\": %llu, ",
              TESSERA_BENCH_PAGE_TABLES_NAME, static_cast<unsigned long long>(counter_at_entry),
              static_cast<unsigned long long>(frequency));
  std::printf("\"region_bytes\": %zu, \"add_region_ps\": {\"alloc::Region\": %llu, \"alloc::Tlsf\": %llu, "
              "\"alloc::Buddy\": %llu, \"alloc::Slab\": %llu}}\n",
              region.size(), init_ps<tessera::alloc::Region<>>(objects, region),
              init_ps<tessera::alloc::Tlsf<>>(objects, region), init_ps<tessera::alloc::Buddy<>>(objects, region),
              init_ps<tessera::alloc::Slab<>>(objects, region));
  return 0;
}

}  // namespace

TESSERA_MAIN(App, bench_main)
