#pragma once
// arch::Context — a thread's saved execution state, and the switch between two of them.
//
// The switch itself is assembly (src/arch/aarch64/context.S; on hosted x86_64,
// src/platform/hosted/context_x86_64.S): it saves the callee-saved registers on the current
// stack, swaps stack pointers and restores the other thread's. A Context is therefore one
// word, the saved stack pointer (plus, under AddressSanitizer, what ASan must be told about
// each stack switch). Cost: aarch64 12 + 8 register pairs stored and loaded, about 25
// instructions; x86_64 6 pushes, 6 pops, MXCSR and x87 control word.
//
// ABI (both architectures):
//   extern "C" void tessera_context_switch(void** save_sp, void* load_sp);
//   A new thread's first frame returns into tessera_context_start, which calls begin(),
//   entry(argument), then finish() ([[noreturn]]).
// Non-template on purpose: the same code serves every scheduler and every option set.

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define TESSERA_ASAN 1
#else
#define TESSERA_ASAN 0
#endif

extern "C" void tessera_context_switch(void** save_sp, void* load_sp);
extern "C" void tessera_context_start();

namespace tessera::arch {

struct Context {
  void* sp = nullptr;  // saved stack pointer while the thread is not running
#if TESSERA_ASAN
  void* fake_stack = nullptr;        // ASan's fake stack of this thread while it is switched out
  const void* stack_bottom = nullptr;  // the stack's bounds, for __sanitizer_start_switch_fiber
  std::size_t stack_size = 0;
#endif
};

using StartHook = void (*)();
using EntryFunction = void (*)(void*);

// Builds the first frame of a new thread on [stack, stack + bytes) so that switching to
// `context` runs begin(), entry(argument), finish(). `bytes` is at least 256.
inline void prepare(Context& context, std::byte* stack, std::size_t bytes, StartHook begin, EntryFunction entry,
                    void* argument, StartHook finish) {
  auto top = (reinterpret_cast<std::uintptr_t>(stack) + bytes) & ~std::uintptr_t{15};
  auto word = [](std::uintptr_t at, std::uintptr_t value) { *reinterpret_cast<std::uintptr_t*>(at) = value; };
  const auto start = reinterpret_cast<std::uintptr_t>(&tessera_context_start);
#if defined(__aarch64__)
  const std::uintptr_t sp = top - 160;  // the frame of context.S
  for (std::uintptr_t at = sp; at < top; at += 8) word(at, 0);
  word(sp + 0, reinterpret_cast<std::uintptr_t>(begin));     // x19
  word(sp + 8, reinterpret_cast<std::uintptr_t>(entry));     // x20
  word(sp + 16, reinterpret_cast<std::uintptr_t>(argument)); // x21
  word(sp + 24, reinterpret_cast<std::uintptr_t>(finish));   // x22
  word(sp + 88, start);                                      // x30: where the switch returns
#elif defined(__x86_64__)
  const std::uintptr_t sp = top - 64;  // the frame of context_x86_64.S
  for (std::uintptr_t at = sp; at < top; at += 8) word(at, 0);
  *reinterpret_cast<std::uint32_t*>(sp) = 0x1f80;           // MXCSR: all exceptions masked, round to nearest
  *reinterpret_cast<std::uint16_t*>(sp + 4) = 0x037f;       // x87 control word: the power-on default
  word(sp + 16, reinterpret_cast<std::uintptr_t>(finish));  // r14
  word(sp + 24, reinterpret_cast<std::uintptr_t>(argument));// r13
  word(sp + 32, reinterpret_cast<std::uintptr_t>(entry));   // r12
  word(sp + 40, reinterpret_cast<std::uintptr_t>(begin));   // rbx
  word(sp + 56, start);                                     // return address
#else
#error "tessera: no context switch for this architecture (src/arch/<arch>/context.S)"
#endif
  context.sp = reinterpret_cast<void*>(sp);
#if TESSERA_ASAN
  context.fake_stack = nullptr;
  context.stack_bottom = stack;
  context.stack_size = bytes;
#endif
}

// Switches from the running thread (its state goes to `from`) to `to`. Returns when some
// thread switches back to `from`. `from_ends`: the running thread never runs again (it has
// exited), so ASan may drop its fake stack.
inline void switch_to(Context& from, Context& to, [[maybe_unused]] bool from_ends) {
#if TESSERA_ASAN
  __sanitizer_start_switch_fiber(from_ends ? nullptr : &from.fake_stack, to.stack_bottom, to.stack_size);
#endif
  tessera_context_switch(&from.sp, to.sp);
}

// Called first thing after every switch, in the thread that now runs (`now` is its context;
// `previous` the one that switched to it, whose bounds ASan reports back: the boot stack's
// are learnt that way). A thread that has just started passes first_run = true.
inline void arrived([[maybe_unused]] Context& now, [[maybe_unused]] Context* previous,
                    [[maybe_unused]] bool first_run) {
#if TESSERA_ASAN
  const void* bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_finish_switch_fiber(first_run ? nullptr : now.fake_stack, &bottom, &size);
  if (previous && previous->stack_bottom == nullptr) {
    previous->stack_bottom = bottom;
    previous->stack_size = size;
  }
#endif
}

// A stack goes back to the allocator: forget ASan's marks on it (redzones of the frames that
// were on it), or the memory's next user would trip over them.
inline void stack_released([[maybe_unused]] std::byte* stack, [[maybe_unused]] std::size_t bytes) {
#if TESSERA_ASAN
  __asan_unpoison_memory_region(stack, bytes);
#endif
}

}  // namespace tessera::arch
