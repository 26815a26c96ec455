// The aarch64 trap handler: every exception the kernel does not expect ends here and is
// reported on the console (cause, syndrome, addresses, registers, frame-pointer backtrace);
// then the machine exits with tessera::exit_status_fault. Never hangs, never returns, except
// for the one expected trap: the semihosting probe on a host without semihosting.

#include <cstddef>
#include <cstdint>

#include "tessera/arch/aarch64/power.hpp"
#include "tessera/kernel.hpp"
#include "tessera/lib/format.hpp"

extern "C" {
void tessera_console_write(const char* text, unsigned long length);  // TESSERA_MAIN
[[noreturn]] void tessera_exit(int status);                          // TESSERA_MAIN
extern const char tessera_semihost_hlt[];                            // start.S
extern const char __tessera_image_start[], __tessera_stack_top[];    // linker script
}

namespace {

struct TrapFrame {
  std::uint64_t x[31];
  std::uint64_t sp, elr, spsr, esr, far;
};
static_assert(sizeof(TrapFrame) == 36 * 8, "must match FRAME_SIZE in vectors.S");

// ESR_EL1.EC values, Arm ARM DDI 0487 §D17.2.37 (ESR_EL1).
constexpr unsigned EC_UNKNOWN = 0x00;

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

const char* const kind_names[4] = {"synchronous exception", "IRQ", "FIQ", "SError"};
const char* const origin_names[4] = {"current EL with SP_EL0", "current EL with SP_ELx", "lower EL (AArch64)",
                                     "lower EL (AArch32)"};

void print(const char* text) { tessera_console_write(text, tessera::lib::length(text)); }

void print_hex(const char* label, std::uint64_t value, int digits = 16) {
  char text[16];
  print(label);
  print("0x");
  tessera_console_write(text, tessera::lib::format_hex(text, value, digits));
}

void print_decimal(std::int64_t value) {
  char text[24];
  tessera_console_write(text, tessera::lib::format_decimal(text, value));
}

bool on_stack(std::uint64_t fp) {
  return fp % 16 == 0 && fp >= reinterpret_cast<std::uint64_t>(__tessera_image_start) &&
         fp + 16 <= reinterpret_cast<std::uint64_t>(__tessera_stack_top);
}

void print_backtrace(const TrapFrame& frame) {
  print("  backtrace (addresses; aarch64-linux-gnu-addr2line -e IMAGE resolves them):\n");
  print_hex("    #0 ", frame.elr);
  print("\n");
  std::uint64_t fp = frame.x[29];
  for (int depth = 1; depth < 16 && on_stack(fp); ++depth) {
    const auto* record = reinterpret_cast<const std::uint64_t*>(fp);  // AAPCS64 frame record: {fp, lr}
    if (record[1] == 0) break;
    print("    #");
    print_decimal(depth);
    print_hex(" ", record[1] - 4);  // the call, not the return address
    print("\n");
    if (record[0] <= fp) break;  // frames grow towards higher addresses; anything else is garbage
    fp = record[0];
  }
}

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
    print("\n*** tessera: fault inside the fault handler; powering off\n");
    tessera::arch::aarch64::psci_system_off();
  }

  print("\n*** tessera: fault: ");
  print(kind_names[vector % 4]);
  print(" from ");
  print(origin_names[vector / 4 % 4]);
  print("\n  cause: ");
  print(exception_class_name(ec));
  print_hex(" (EC ", ec, 2);
  print(")\n");
  print_hex("  ESR ", frame->esr);
  print_hex("  ELR ", frame->elr);
  print_hex("  FAR ", frame->far);
  print_hex("  SPSR ", frame->spsr);
  print("\n");
  for (int i = 0; i < 31; ++i) {
    char label[8] = "  x";
    label[3] = static_cast<char>(i < 10 ? '0' + i : '0' + i / 10);
    label[4] = static_cast<char>(i < 10 ? ' ' : '0' + i % 10);
    label[5] = ' ';
    print_hex(label, frame->x[i]);
    if (i % 4 == 3) print("\n");
  }
  print_hex("  sp  ", frame->sp);
  print("\n");
  print_backtrace(*frame);
  print("*** tessera: stopping with exit status ");
  print_decimal(tessera::exit_status_fault);
  print("\n");
  tessera_exit(tessera::exit_status_fault);
}
