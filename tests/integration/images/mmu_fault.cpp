// Faults the page tables must cause, one per image (chosen at build time):
//   TESSERA_TEST_FAULT=1  write to .text            → permission fault (data abort)
//   TESSERA_TEST_FAULT=2  jump into writable data   → instruction abort (never executable)
//   TESSERA_TEST_FAULT=3  overflow the boot stack   → data abort in the guard page (boot-time tables)
// TESSERA_TEST_PAGE_TABLES picks the strategy (compile_time, boot_time).

#include <cstdint>
#include <cstdio>

#include <tessera/tessera.hpp>

using Platform = tessera::platform::QemuVirt<{.page_tables = tessera::arch::aarch64::PageTables::TESSERA_TEST_PAGE_TABLES}>;
using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, Platform>;

extern "C" const char __tessera_stack_guard[];

namespace {

// A few instructions to jump to: `mov w0, #42; ret`, placed in writable data.
[[maybe_unused]] std::uint32_t code_in_data[2] = {0x52800540, 0xd65f03c0};

[[gnu::noinline, maybe_unused]] int recurse(int depth) {
  if (depth == 1 << 30) return 0;  // never reached: 512 MiB of stack
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  return recurse(depth + 1) + frame[0];
}

}  // namespace

int fault_main() {
#if TESSERA_TEST_FAULT == 1
  auto* text = reinterpret_cast<volatile std::uint32_t*>(&fault_main);
  std::printf("writing to .text at %p\n", reinterpret_cast<void*>(&fault_main));
  *text = 0xd503201f;  // nop
  std::printf(".text was writable\n");
#elif TESSERA_TEST_FAULT == 2
  std::printf("jumping to data at %p\n", static_cast<void*>(code_in_data));
  asm volatile("" ::: "memory");
  const int value = reinterpret_cast<int (*)()>(code_in_data)();
  std::printf("data was executable: %d\n", value);
#elif TESSERA_TEST_FAULT == 3
  std::printf("overflowing the stack; guard page at %p\n", static_cast<const void*>(__tessera_stack_guard));
  std::printf("%d\n", recurse(0));
#endif
  return 0;
}

TESSERA_MAIN(App, fault_main)
