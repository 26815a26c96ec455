// Fault reports for the hosted platform: a SIGSEGV, SIGBUS, SIGILL or SIGFPE in the kernel
// is reported like a bare-metal trap (cause, address, backtrace) and the process exits with
// tessera::exit_status_fault. Not installed under AddressSanitizer, which reports faults itself.

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>

#include "tessera/kernel.hpp"
#include "tessera/lib/format.hpp"

namespace {

void print(const char* text) {
  if (::write(2, text, tessera::lib::length(text)) < 0) {
  }
}

void on_fault(int signal, siginfo_t* info, void*) {
  char hex[16];
  print("\n*** tessera: fault: ");
  print(signal == SIGSEGV ? "SIGSEGV (bad memory access)"
        : signal == SIGBUS ? "SIGBUS (bus error)"
        : signal == SIGILL ? "SIGILL (illegal instruction)"
                           : "SIGFPE (arithmetic fault)");
  print("\n  address 0x");
  if (::write(2, hex, tessera::lib::format_hex(hex, reinterpret_cast<std::uintptr_t>(info->si_addr))) < 0) {
  }
  print("\n  backtrace:\n");
  void* frames[32];
  backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
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
