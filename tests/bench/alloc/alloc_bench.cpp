// ./tessera bench alloc — hosted allocator benchmark, JSON on stdout.
//
// Every tessera allocator runs the same pre-generated operation scripts as glibc malloc and
// mimalloc, in the same process and run (these machines are shared: only ratios measured
// side by side mean anything). Workloads:
//   random — sizes 16..4096, random lifetimes (a pool of live blocks, a random slot each step)
//   fixed64 — 64-byte objects, allocated in batches and freed in random order
//   mixed — mostly small sizes with 5% large blocks (64 KiB .. 1 MiB)
//   pages — 4 KiB blocks, random lifetimes (a page allocator's case)
// Reported per allocator and workload: throughput (operations per second, the best of several
// rounds; each round runs every allocator once, so a slow spell of this shared machine hits
// them all alike) and per-operation latency (median, p99.99, max; see latency() for how the
// machine's noise is filtered, and latency_ns_one_pass for the unfiltered first pass);
// and add_region time for 64 MiB and 1 GiB regions. "harness" is the loop alone (an allocator
// that returns a fixed address), so tests/bench/alloc.py can also compare the allocators' own
// cost per operation.
// Memory is backed by 2 MiB pages where the host allows (transparent huge pages), for every
// allocator: tessera's heap is mapped with 2 MiB blocks on its targets (architecture.md, "Page
// tables"), and with 4 KiB host pages a cold header costs a page-table walk more than it would
// there. The tessera regions are 2 MiB-aligned and advised MADV_HUGEPAGE; glibc gets
// glibc.malloc.hugetlb=1 (the program re-executes itself with it) and mimalloc
// MIMALLOC_LARGE_OS_PAGES=1. "huge_pages_kib" says how much of the process's memory they covered.
// "cold_access_ns" is the machine's own floor for a worst case: one load, one store and one
// write prefetch of a line not touched for a while, timed as the operations are, beside the
// empty timed window: in a 256 MiB region (out of the cache) and in a 1 GiB one (out of the
// cache and, on some hosts, the TLB), both on 2 MiB pages like the heaps.
// Usage: alloc-bench [--quick] (--quick: a few thousand steps, for tests).

#include <dlfcn.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "tessera/alloc/buddy.hpp"
#include "tessera/alloc/region.hpp"
#include "tessera/alloc/slab.hpp"
#include "tessera/alloc/tlsf.hpp"

namespace {

std::uint64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(t.tv_nsec);
}

// A cycle counter for per-operation latency (cheaper and finer than clock_gettime).
inline std::uint64_t ticks() {
#if defined(__x86_64__)
  unsigned lo, hi;
  asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
  return static_cast<std::uint64_t>(hi) << 32 | lo;
#else
  return now_ns();
#endif
}

double ticks_per_ns() {
  const auto t0 = ticks();
  const auto n0 = now_ns();
  while (now_ns() - n0 < 20'000'000) {
  }
  return static_cast<double>(ticks() - t0) / static_cast<double>(now_ns() - n0);
}

// One step of a script: free slot `slot` if it is in use, else allocate `size` bytes into it.
struct Step {
  std::uint32_t slot;
  std::uint32_t size;
};

struct Workload {
  const char* name;
  std::vector<Step> steps;
  std::size_t slots;
};

Workload make(const char* name, std::size_t slots, std::size_t steps, std::uint64_t seed,
              std::uint32_t (*size_of)(std::mt19937_64&)) {
  std::mt19937_64 random(seed);
  Workload w{name, {}, slots};
  w.steps.reserve(steps);
  for (std::size_t i = 0; i < steps; ++i)
    w.steps.push_back({static_cast<std::uint32_t>(random() % slots), size_of(random)});
  return w;
}

// Batches of 64-byte objects: allocate `batch`, free them in random order, repeat.
Workload make_fixed64(std::size_t batch, std::size_t rounds, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  Workload w{"fixed64", {}, batch};
  std::vector<std::uint32_t> order(batch);
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::uint32_t i = 0; i < batch; ++i) w.steps.push_back({i, 64});
    for (std::uint32_t i = 0; i < batch; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    for (auto i : order) w.steps.push_back({i, 64});
  }
  return w;
}

// Adapters: one allocate/free interface over every allocator under test, each called the way a
// program calls it: glibc's malloc and free through the PLT, mimalloc's through the pointers
// dlsym gave, and tessera's allocators inline, as an application calls them through its kernel
// type (K::alloc().allocate(…) is a direct call the compiler inlines: the point of the design).
// The compiler would otherwise decide per allocator whether the adapter's allocate is inlined
// into the loop (GCC 12 inlined Tlsf's, not Buddy's nor Slab's), and measure that decision instead.
struct Glibc {
  static constexpr const char* name = "glibc malloc";
  void* allocate(std::size_t n) { return std::malloc(n); }
  void release(void* p) { std::free(p); }
};
// Debian's libmimalloc.so exports malloc and free too: linked normally it would replace glibc's
// malloc in the whole process (and "glibc malloc" would be mimalloc). Loaded with RTLD_LOCAL
// its symbols serve only the calls looked up here.
struct Mimalloc {
  static constexpr const char* name = "mimalloc";
  using Malloc = void* (*)(std::size_t);
  using Free = void (*)(void*);
  static inline Malloc mi_malloc = nullptr;
  static inline Free mi_free = nullptr;
  static void load() {
    setenv("MIMALLOC_LARGE_OS_PAGES", "1", 0);  // read when the library initialises
    void* library = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      std::fprintf(stderr, "alloc_bench: cannot load mimalloc (Debian package libmimalloc2.0): %s\n", dlerror());
      std::exit(2);
    }
    mi_malloc = reinterpret_cast<Malloc>(dlsym(library, "mi_malloc"));
    mi_free = reinterpret_cast<Free>(dlsym(library, "mi_free"));
    if (mi_malloc == nullptr || mi_free == nullptr) {
      std::fprintf(stderr, "alloc_bench: libmimalloc.so.2 lacks mi_malloc/mi_free\n");
      std::exit(2);
    }
  }
  void* allocate(std::size_t n) { return mi_malloc(n); }
  void release(void* p) { mi_free(p); }
};

// The harness alone: every step's bookkeeping and touch, with an "allocator" that hands out
// fixed addresses. Its time is subtracted to give each allocator's own cost per operation.
struct Harness {
  static constexpr const char* name = "harness";
  alignas(64) static inline unsigned char cells[64];
  void* allocate(std::size_t) {
    asm volatile("" ::: "memory");
    return cells;
  }
  void release(void* p) { asm volatile("" ::"r"(p) : "memory"); }
};

// glibc's malloc must be glibc's: nothing may have interposed it.
void check_glibc_malloc() {
  Dl_info info{};
  void* (*malloc_address)(std::size_t) = &std::malloc;
  if (dladdr(reinterpret_cast<void*>(malloc_address), &info) == 0 || info.dli_fname == nullptr ||
      std::string(info.dli_fname).find("libc.so") == std::string::npos) {
    std::fprintf(stderr, "alloc_bench: malloc is not glibc's (it comes from %s)\n",
                 info.dli_fname ? info.dli_fname : "?");
    std::exit(2);
  }
}

constexpr std::size_t kHeapBytes = std::size_t{1} << 30;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

// A region of `bytes` (a multiple of 2 MiB), 2 MiB-aligned and advised to use huge pages.
struct Mapping {
  tessera::MemoryRegion region;
  void* mapped;
  std::size_t mapped_bytes;
  explicit Mapping(std::size_t bytes) : mapped_bytes(bytes + kHugePage) {
    mapped = mmap(nullptr, mapped_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED) {
      std::fprintf(stderr, "alloc_bench: cannot map %zu bytes\n", bytes);
      std::exit(2);
    }
    auto* begin = static_cast<std::byte*>(mapped) + tessera::lib::padding_for(reinterpret_cast<std::uintptr_t>(mapped), kHugePage);
    (void)madvise(begin, bytes, MADV_HUGEPAGE);  // a hint: without THP the figures are for 4 KiB pages
    region = {begin, begin + bytes};
  }
  ~Mapping() { munmap(mapped, mapped_bytes); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
};

// Kibibytes of the process's memory on transparent huge pages (0 if the kernel cannot tell).
long huge_pages_kib() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "AnonHugePages: %ld kB", &kib) == 1) break;
  std::fclose(f);
  return kib;
}

template <class A>
struct Tessera {
  static constexpr const char* name = A::name;
  A* allocator = new A{};
  Mapping heap{kHeapBytes};
  Tessera() {
    if (!allocator->add_region(heap.region)) {
      std::fprintf(stderr, "alloc_bench: %s refused its region\n", A::name);
      std::exit(2);
    }
  }
  ~Tessera() { delete allocator; }
  Tessera(const Tessera&) = delete;
  Tessera& operator=(const Tessera&) = delete;
  [[gnu::always_inline]] void* allocate(std::size_t n) {
    auto r = allocator->allocate(n, 16);
    return r.ok() ? r.value() : nullptr;
  }
  [[gnu::always_inline]] void release(void* p) { (void)allocator->deallocate(p); }
};

// Operations per second over one run of the script (everything freed at the end).
template <class A>
double throughput(A& a, const Workload& w) {
  std::vector<void*> slots(w.slots, nullptr);
  const auto t0 = now_ns();
  for (const Step& s : w.steps) {
    void*& slot = slots[s.slot];
    if (slot != nullptr) {
      a.release(slot);
      slot = nullptr;
    } else {
      slot = a.allocate(s.size);
      if (slot != nullptr) static_cast<volatile char*>(slot)[0] = 1;  // touch it, as a program would
    }
  }
  for (void*& slot : slots)
    if (slot != nullptr) a.release(slot), slot = nullptr;
  const double seconds = static_cast<double>(now_ns() - t0) / 1e9;
  return static_cast<double>(w.steps.size()) / seconds;
}

struct Latency {
  double median_ns, p9999_ns, max_ns;              // per operation, the least of the passes
  double single_median_ns, single_p9999_ns, single_max_ns;  // the first pass alone
};

// Per-operation latency over `passes` runs of the same script (everything is freed between
// them). An interrupt or a preemption by the host hits one pass, another tenant's use of the
// shared cache a few; an operation that is slow because of the algorithm or the memory it
// touches is slow in every pass. So each operation's least time over the passes filters the
// machine's noise and keeps the allocator's worst case; the first pass alone is reported too.
// Nine passes: with five, up to 8 of Tlsf's 2 million operations on `mixed` stood above 200 ns
// in a run by noise alone (0 to 8 from run to run), with nine 0 or 1.
template <class A>
Latency latency(A& a, const Workload& w, double tpn, int passes) {
  std::vector<void*> slots(w.slots, nullptr);
  std::vector<std::uint64_t> least(w.steps.size(), ~std::uint64_t{0}), first;
  for (int pass = 0; pass < passes; ++pass) {
    for (std::size_t i = 0; i < w.steps.size(); ++i) {
      const Step& s = w.steps[i];
      void*& slot = slots[s.slot];
      const auto t0 = ticks();
      if (slot != nullptr) {
        a.release(slot);
        slot = nullptr;
      } else {
        slot = a.allocate(s.size);
      }
      const std::uint64_t t = ticks() - t0;
      if (t < least[i]) least[i] = t;
    }
    for (void*& slot : slots)
      if (slot != nullptr) a.release(slot), slot = nullptr;
    if (pass == 0) first = least;
  }
  auto summary = [tpn](std::vector<std::uint64_t>& v, double& median, double& p9999, double& max) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return static_cast<double>(v[static_cast<std::size_t>(q * (v.size() - 1))]) / tpn; };
    median = at(0.5);
    p9999 = at(0.9999);
    max = static_cast<double>(v.back()) / tpn;
  };
  Latency l{};
  summary(least, l.median_ns, l.p9999_ns, l.max_ns);
  summary(first, l.single_median_ns, l.single_p9999_ns, l.single_max_ns);
  return l;
}

template <class A>
std::string entry(A& a, double ops, const Workload& w, int passes, double tpn) {
  const Latency l = latency(a, w, tpn, passes);
  char text[320];
  std::snprintf(text, sizeof text,
                "{\"ops_per_sec\": %.0f, \"latency_ns\": {\"median\": %.1f, \"p99_99\": %.1f, \"max\": %.1f}, "
                "\"latency_ns_one_pass\": {\"median\": %.1f, \"p99_99\": %.1f, \"max\": %.1f}}",
                ops, l.median_ns, l.p9999_ns, l.max_ns, l.single_median_ns, l.single_p9999_ns, l.single_max_ns);
  return std::string("\"") + A::name + "\": " + text;
}

// Every allocator on workload `w`: `rounds` rounds of throughput, each running every allocator
// once in turn (the best round of each is kept), then each one's latency over `passes` passes.
// Returns how much memory was on huge pages at the end (KiB).
template <class... A>
long measure(const Workload& w, int rounds, int passes, double tpn, bool last) {
  std::tuple<A...> allocators;
  double best[sizeof...(A)] = {};
  for (int r = 0; r < rounds; ++r) {
    std::size_t i = 0;
    std::apply([&](auto&... a) { ((best[i] = std::max(best[i], throughput(a, w)), ++i), ...); }, allocators);
  }
  std::string entries;
  std::size_t i = 0;
  std::apply([&](auto&... a) { ((entries += (i ? ",\n      " : "") + entry(a, best[i], w, passes, tpn), ++i), ...); },
             allocators);
  std::printf("    \"%s\": {\n      %s\n    }%s\n", w.name, entries.c_str(), last ? "" : ",");
  return huge_pages_kib();
}

// The machine's cost of touching memory that nothing has touched for a while: a load, a store
// and a write prefetch of one random line of a `bytes` region (after reading one line in each
// of 16,384 other 4 KiB pages of it), each timed alone like an allocator operation; medians of
// 301 tries, and the empty window's for comparison.
std::string cold_access(std::size_t bytes, double tpn) {
  const std::size_t lines = bytes / 64, pages = bytes / 4096;
  Mapping mapping(bytes);
  auto* base = static_cast<volatile unsigned char*>(static_cast<void*>(mapping.region.begin));
  for (std::size_t i = 0; i < bytes; i += 4096) base[i] = 1;  // mapped (page faults are not this)
  std::mt19937_64 random(5);
  std::vector<std::size_t> others(16384);
  for (auto& o : others) o = (random() % pages) * 4096 + (random() % 64) * 64;
  std::vector<std::uint64_t> load, store, prefetch, empty;
  auto evict = [&] {
    for (std::size_t o : others) (void)base[o];  // volatile reads: not optimised away
  };
  auto line = [&] { return base + (random() % lines) * 64; };
  for (int i = 0; i < 301; ++i) {
    volatile unsigned char* p = line();
    evict();
    auto t0 = ticks();
    (void)*p;
    load.push_back(ticks() - t0);
    p = line();
    evict();
    t0 = ticks();
    *p = static_cast<unsigned char>(i);
    store.push_back(ticks() - t0);
    p = line();
    evict();
    t0 = ticks();
    __builtin_prefetch(const_cast<unsigned char*>(p), 1);
    prefetch.push_back(ticks() - t0);
    t0 = ticks();
    empty.push_back(ticks() - t0);
  }
  auto median = [tpn](std::vector<std::uint64_t>& v) {
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[v.size() / 2]) / tpn;
  };
  char text[200];
  std::snprintf(text, sizeof text, "\"%zuMiB\": {\"load\": %.1f, \"store\": %.1f, \"prefetch\": %.1f, \"empty\": %.1f}",
                bytes >> 20, median(load), median(store), median(prefetch), median(empty));
  return text;
}

template <class A>
double init_ns(std::size_t bytes) {
  Mapping mapping(bytes);
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 51; ++i) {
    auto* a = new A{};
    const auto t0 = now_ns();
    const auto result = a->add_region(mapping.region);
    const auto t1 = now_ns();
    if (!result) std::exit(2);
    samples.push_back(t1 - t0);
    delete a;
  }
  std::sort(samples.begin(), samples.end());
  return static_cast<double>(samples[samples.size() / 2]);
}

template <class A>
std::string init_entry() {
  char text[160];
  std::snprintf(text, sizeof text, "\"%s\": {\"64MiB_ns\": %.0f, \"1GiB_ns\": %.0f}", A::name,
                init_ns<A>(std::size_t{64} << 20), init_ns<A>(std::size_t{1} << 30));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc reads its tunables at start-up: set glibc.malloc.hugetlb (unless the caller chose
  // tunables of its own) and start again.
  if (std::getenv("GLIBC_TUNABLES") == nullptr) {
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    execv("/proc/self/exe", argv);
    std::perror("alloc_bench: cannot re-execute itself with GLIBC_TUNABLES (going on without)");
  }
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";  // for the test suite: tiny sizes
  const std::size_t steps = quick ? 20'000 : 2'000'000;
  const int rounds = quick ? 1 : 7, passes = quick ? 1 : 9;
  const double tpn = ticks_per_ns();
  check_glibc_malloc();
  Mimalloc::load();

  using Tlsf = Tessera<tessera::alloc::Tlsf<>>;
  using Buddy = Tessera<tessera::alloc::Buddy<>>;
  using Slab = Tessera<tessera::alloc::Slab<>>;

  const Workload random = make("random", 1000, steps, 1, [](std::mt19937_64& r) { return static_cast<std::uint32_t>(16 + r() % 4081); });
  const Workload fixed64 = make_fixed64(1000, steps / 2000, 2);
  const Workload mixed = make("mixed", 1000, steps, 3, [](std::mt19937_64& r) {
    return static_cast<std::uint32_t>(r() % 100 < 5 ? (64u << 10) + r() % (960u << 10) : 16 + r() % 1008);
  });
  const Workload pages = make("pages", 1000, steps, 4, [](std::mt19937_64&) { return 4096u; });

  std::printf("{\n  \"benchmark\": \"alloc\",\n  \"steps_per_workload\": %zu,\n  \"throughput_rounds\": %d,\n"
              "  \"latency_passes\": %d,\n  \"workloads\": {\n", steps, rounds, passes);
  const Workload* all[] = {&random, &fixed64, &mixed, &pages};
  long huge_kib = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    huge_kib = std::max(huge_kib, measure<Harness, Glibc, Mimalloc, Tlsf, Buddy, Slab>(*all[i], rounds, passes, tpn, i + 1 == 4));
  }
  std::printf("  },\n  \"huge_pages_kib\": %ld,\n  \"cold_access_ns\": {%s, %s},\n  \"add_region\": {\n    %s,\n    %s,\n    %s,\n    %s\n  }\n}\n", huge_kib, cold_access(std::size_t{256} << 20, tpn).c_str(),
              cold_access(std::size_t{1} << 30, tpn).c_str(),
              init_entry<tessera::alloc::Region<>>().c_str(), init_entry<tessera::alloc::Tlsf<>>().c_str(),
              init_entry<tessera::alloc::Buddy<>>().c_str(), init_entry<tessera::alloc::Slab<>>().c_str());
  return 0;
}
