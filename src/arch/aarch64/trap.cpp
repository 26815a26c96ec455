// The aarch64 trap handler: every exception the kernel does not expect ends here and is
// reported on the console (cause, syndrome, addresses, registers, frame-pointer backtrace);
// then the machine exits with tessera::exit_status_fault (exit_status_trap for
// a trap instruction: a UBSan check or __builtin_trap). Never hangs, never returns, except
// for the one expected trap: the semihosting probe on a host without semihosting.

#include <cstddef>
#include <cstdint>

#include "../../libc/report.hpp"
#include "tessera/arch/aarch64/power.hpp"
#include "tessera/exit_status.hpp"

extern "C" const char tessera_semihost_hlt[];  // start.S

namespace {

using tessera::report::hex;
using tessera::report::text;

struct TrapFrame {
  std::uint64_t x[31];
  std::uint64_t sp, elr, spsr, esr, far;
};
static_assert(sizeof(TrapFrame) == 36 * 8, "must match FRAME_SIZE in vectors.S");

// ESR_EL1.EC values, Arm ARM DDI 0487 §D17.2.37 (ESR_EL1).
constexpr unsigned EC_UNKNOWN = 0x00;
constexpr unsigned EC_BRK = 0x3c;  // BRK instruction in AArch64 state
// The BRK immediate GCC emits for __builtin_trap, and so for UBSan checks built with
// -fsanitize-undefined-trap-on-error (GCC aarch64.md, "trap" pattern: brk #1000).
constexpr unsigned kBuiltinTrapImmediate = 1000;

const char* exception_class_name(unsigned ec) {
  switch (ec) {
    case 0x00: return "unknown reason (undefined instruction)";
    case 0x01: return "trapped WFI/WFE";
    case 0x07: return "SVE/SIMD/FP access trap";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC instruction";
    case 0x16: return "HVC instruction";
    case 0x17: return "SMC instruction";
    case 0x18: return "trapped MSR/MRS/system instruction";
    case 0x20: return "instruction abort from a lower exception level";
    case 0x21: return "instruction abort (bad jump or execute-never page)";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort from a lower exception level";
    case 0x25: return "data abort (bad load or store address)";
    case 0x26: return "SP alignment fault";
    case 0x2c: return "floating-point exception";
    case 0x2f: return "SError interrupt";
    case 0x3c: return "BRK instruction (compiler trap or assertion)";
    default: return "other (see the Arm ARM, ESR_EL1.EC)";
  }
}

// For an instruction or data abort: what the fault status code in ESR_EL1.ISS[5:0] (IFSC/DFSC)
// says, DDI 0487 §D17.2.37, "ISS encoding for an exception from a Data Abort".
const char* abort_status_name(std::uint64_t esr) {
  const unsigned status = static_cast<unsigned>(esr) & 0x3f;
  switch (status >> 2) {
    case 0b0001: return "translation fault (the address is not mapped)";
    case 0b0010: return "access flag fault";
    case 0b0011: return "permission fault (a write to read-only memory, or code run from data)";
    default: break;
  }
  if (status == 0b100001) return "alignment fault";
  if (status == 0b010000) return "synchronous external abort (nothing answered at that address)";
  return "other fault status (see the Arm ARM, ESR_EL1.ISS)";
}

void print_abort_details(unsigned ec, std::uint64_t esr, std::uint64_t far) {
  if ((ec & ~0x5u) != 0x20) return;  // 0x20, 0x21: instruction abort; 0x24, 0x25: data abort
  text("  fault: ");
  text(abort_status_name(esr));
  text((ec & 0x4) == 0 ? "\n" : (esr >> 6 & 1) != 0 ? ", on a write\n" : ", on a read\n");  // ISS.WnR
  if (far < 0x10000)
    text("  the address is near 0: most likely a null pointer dereference (a member of an object at nullptr)\n");
}

// "70": an exit status in decimal, made at compile time (the trap handler prints one of two).
struct StatusText {
  char digits[4] = {};
  constexpr explicit StatusText(int status) {
    digits[0] = static_cast<char>('0' + status / 10 % 10);
    digits[1] = static_cast<char>('0' + status % 10);
    digits[2] = '\n';
  }
};
constexpr StatusText kFaultStatus{tessera::exit_status_fault}, kTrapStatus{tessera::exit_status_trap};
static_assert(tessera::exit_status_fault / 100 == 0 && tessera::exit_status_trap / 100 == 0, "two digits");

const char* const kind_names[4] = {"synchronous exception", "IRQ", "FIQ", "SError"};
const char* const origin_names[4] = {"current EL with SP_EL0", "current EL with SP_ELx", "lower EL (AArch64)",
                                     "lower EL (AArch32)"};

int depth = 0;

}  // namespace

extern "C" void tessera_trap(TrapFrame* frame, std::uint64_t vector) {
  const unsigned ec = static_cast<unsigned>(frame->esr >> 26) & 0x3f;
  if (ec == EC_UNKNOWN && frame->elr == reinterpret_cast<std::uint64_t>(tessera_semihost_hlt)) {
    frame->x[0] = static_cast<std::uint64_t>(-1);  // no semihosting on this host
    frame->elr += 4;
    return;
  }
  if (++depth > 1) {  // faulted while reporting a fault: stop without touching anything else
    text("\n*** tessera: fault inside the fault handler; powering off\n");
    tessera::arch::aarch64::psci_system_off();
  }

  text("\n*** tessera: fault: ");
  text(kind_names[vector % 4]);
  text(" from ");
  text(origin_names[vector / 4 % 4]);
  text("\n  cause: ");
  text(exception_class_name(ec));
  hex(" (EC ", ec, 2);
  text(")\n");
  hex("  ESR ", frame->esr);
  hex("  ELR ", frame->elr);
  hex("  FAR ", frame->far);
  hex("  SPSR ", frame->spsr);
  text("\n");
  print_abort_details(ec, frame->esr, frame->far);
  for (int i = 0; i < 31; ++i) {
    char label[8] = "  x";
    label[3] = static_cast<char>(i < 10 ? '0' + i : '0' + i / 10);
    label[4] = static_cast<char>(i < 10 ? ' ' : '0' + i % 10);
    label[5] = ' ';
    hex(label, frame->x[i]);
    if (i % 4 == 3) text("\n");
  }
  hex("  sp  ", frame->sp);
  text("\n");
  const bool trap_instruction = ec == EC_BRK && (frame->esr & 0xffff) == kBuiltinTrapImmediate;
  if (trap_instruction)
    text("  a trap instruction (brk #1000): an undefined-behaviour check (CONFIG_UBSAN_TRAP) failed at ELR, or the\n"
         "  code reached __builtin_trap(); aarch64-linux-gnu-addr2line -e IMAGE ELR names the line\n");
  tessera::report::backtrace(frame->elr, frame->x[29]);
  const int status = trap_instruction ? tessera::exit_status_trap : tessera::exit_status_fault;
  text("*** tessera: stopping with exit status ");
  text(trap_instruction ? kTrapStatus.digits : kFaultStatus.digits);
  tessera_exit(status);
}
