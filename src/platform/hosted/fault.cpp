// Fault reports for the hosted platform: a SIGSEGV, SIGBUS, SIGILL or SIGFPE in the kernel
// is reported like a bare-metal trap (cause, address, backtrace) and the process exits with
// tessera::exit_status_fault. Not installed under AddressSanitizer, which reports faults itself.

#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdint>

#include "tessera/kernel.hpp"
#include "tessera/lib/format.hpp"

namespace {

void print(const char* text) {
  if (::write(2, text, tessera::lib::length(text)) < 0) {
  }
}

void print_hex(std::uintptr_t value) {
  char hex[16];
  print("0x");
  if (::write(2, hex, tessera::lib::format_hex(hex, value)) < 0) {
  }
}

extern "C" const ElfW(Ehdr) __ehdr_start;  // the linker's: the executable's own ELF header

// One frame line as the bare-metal report prints it ("    #N 0x…"), with the address the
// executable's ELF gives the code (a position-independent executable is loaded at some base:
// subtract it), so addr2line -e IMAGE (and ./tessera run) can name the line. Frames outside
// the executable (the C library) are marked as such.
void print_frame(int depth, std::uintptr_t pc) {
  char number[24];
  print("    #");
  if (::write(2, number, tessera::lib::format_decimal(number, depth)) < 0) {
  }
  print(" ");
  Dl_info where{};
  const auto base = reinterpret_cast<std::uintptr_t>(&__ehdr_start);
  if (dladdr(reinterpret_cast<void*>(pc), &where) != 0 && where.dli_fbase != reinterpret_cast<void*>(base)) {
    print_hex(pc);
    print(" (in ");
    print(where.dli_fname != nullptr ? where.dli_fname : "another object");
    print(")\n");
    return;
  }
  print_hex(__ehdr_start.e_type == ET_DYN ? pc - base : pc);
  print("\n");
}

// #0 is where the signal struck; then the callers, each return address less one (the call).
void print_backtrace(const void* context) {
  print("  backtrace (addresses; addr2line -e IMAGE resolves them):\n");
  const auto faulting_pc =
      static_cast<std::uintptr_t>(static_cast<const ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
  print_frame(0, faulting_pc);
  void* frames[32];
  const int count = backtrace(frames, 32);
  int first = 0;  // glibc's list starts in this handler: skip to the faulting frame
  while (first < count && reinterpret_cast<std::uintptr_t>(frames[first]) != faulting_pc) ++first;
  for (int i = first + 1, depth = 1; i < count; ++i, ++depth)
    print_frame(depth, reinterpret_cast<std::uintptr_t>(frames[i]) - 1);
}

void on_fault(int signal, siginfo_t* info, void* context) {
  char hex[16];
  print("\n*** tessera: fault: ");
  print(signal == SIGSEGV ? "SIGSEGV (bad memory access)"
        : signal == SIGBUS ? "SIGBUS (bus error)"
        : signal == SIGILL ? "SIGILL (illegal instruction)"
                           : "SIGFPE (arithmetic fault)");
  print("\n  address 0x");
  if (::write(2, hex, tessera::lib::format_hex(hex, reinterpret_cast<std::uintptr_t>(info->si_addr))) < 0) {
  }
  print("\n");
  print_backtrace(context);
  char status[24];
  print("*** tessera: stopping with exit status ");
  if (::write(2, status, tessera::lib::format_decimal(status, tessera::exit_status_fault)) < 0) {
  }
  print("\n");
  _exit(tessera::exit_status_fault);
}

}  // namespace

extern "C" void tessera_hosted_install_fault_handlers() {
#if defined(__SANITIZE_ADDRESS__)
  return;  // AddressSanitizer's own report is better
#else
  static char alternate_stack[64 * 1024];  // so a stack overflow can still be reported
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_sigaction = on_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  for (int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) sigaction(signal, &action, nullptr);
#endif
}
