// Guard pages below thread stacks, the checks shared by guard_pages_compile_time_test.cpp
// and guard_pages_boot_time_test.cpp (each names its kernel `App`, whose platform builds its
// page tables that way, and includes this file). The MMU itself answers: AT S1E1W (Arm ARM
// DDI 0487 §C5.5.9) translates an address as a write would, and PAR_EL1.F (bit 0, §D17.2.113)
// says whether that faults. A thread finds the unmapped page below its stack; after the
// thread has ended, that page is mapped again. Both in the image's read-write block (already
// in 4 KiB pages) and in a 2 MiB block of the heap that has to be split first.

#include <cstdint>
#include <cstdio>

#include "../check.hpp"

namespace {

bool writable(std::uintptr_t address) {
  std::uint64_t par;
  asm volatile("at s1e1w, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(address) : "memory");
  return (par & 1) == 0;
}

constexpr std::uintptr_t kPage = 4096;
constexpr std::size_t kStack = 16384;

struct Probe {
  std::uintptr_t local = 0;   // an address on the thread's stack
  std::uintptr_t guard = 0;   // the first page below it that a write would fault on
  bool above_writable = false;
};

void probe(void* argument) {
  auto& p = *static_cast<Probe*>(argument);
  volatile char here = 0;
  p.local = reinterpret_cast<std::uintptr_t>(&here);
  for (std::uintptr_t page = p.local & ~(kPage - 1); page > p.local - kStack - 2 * kPage; page -= kPage) {
    if (!writable(page)) {
      p.guard = page;
      p.above_writable = writable(page + kPage);
      break;
    }
  }
}

void check_guard(const char* where) {
  Probe p;
  auto id = App::sched().spawn(probe, &p, {.stack_bytes = kStack, .name = "probe"});
  CHECK(id.ok());
  CHECK(App::sched().join(id.value_or(0)).ok());
  std::printf("%s: stack near %#lx, unmapped page at %#lx\n", where, static_cast<unsigned long>(p.local),
              static_cast<unsigned long>(p.guard));
  CHECK(p.guard != 0);                       // there is an unmapped page below the stack …
  CHECK(p.local - p.guard <= kStack + kPage);  // … right below it: within the stack's size
  CHECK(p.guard % kPage == 0);
  CHECK(p.above_writable);                   // the stack's lowest page itself is mapped
  App::sched().yield();                      // the ended thread's stack is released at a switch
  CHECK(writable(p.guard));                  // mapped again once the stack went back to the heap
}

int run_all() {
  check_guard("read-write block");
  // Push the next stack into a 2 MiB block of the heap that is still one block descriptor.
  void* big = App::alloc().allocate(3u << 20, 16).value_or(nullptr);
  CHECK(big != nullptr);
  check_guard("heap past 2 MiB");
  // Threads alive at the same time each get their own guard page (each stays until all four
  // have probed: one that ended could hand its stack to the next).
  static Probe probes[4];
  static int probed = 0;
  tessera::api::ThreadId ids[4];
  auto probe_and_stay = [](void* argument) {
    probe(argument);
    __atomic_fetch_add(&probed, 1, __ATOMIC_RELAXED);  // atomic: a preemption cannot split it
    while (__atomic_load_n(&probed, __ATOMIC_RELAXED) < 4) App::sched().yield();
  };
  for (int i = 0; i < 4; ++i)
    ids[i] = App::sched().spawn(probe_and_stay, &probes[i], {.stack_bytes = kStack}).value_or(0);
  for (auto id : ids) CHECK(App::sched().join(id).ok());
  for (int i = 0; i < 4; ++i) {
    CHECK(probes[i].guard != 0);
    for (int j = 0; j < i; ++j) CHECK(probes[i].guard != probes[j].guard);
  }
  (void)App::alloc().deallocate(big);
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace
