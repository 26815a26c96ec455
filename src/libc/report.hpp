#pragma once
// Console reports of fatal errors for src/ code (trap handler, assert, abort, the C++ runtime's
// fatal paths). Everything goes straight to the platform console through TESSERA_MAIN's
// tessera_console_write: nothing here depends on the C library's state (stdio buffers,
// errno), which may be what broke.
//
// A report looks like
//   *** tessera: <what happened>
//     <details>
//     backtrace (addresses; aarch64-linux-gnu-addr2line -e IMAGE resolves them):
//       #0 0x…
//   *** tessera: stopping with exit status <N>

#include <cstdint>

#include "tessera/lib/format.hpp"

extern "C" {
void tessera_console_write(const char* text, unsigned long length);  // TESSERA_MAIN
[[noreturn]] void tessera_exit(int status);                          // TESSERA_MAIN
}

namespace tessera::report {

inline void text(const char* s) { tessera_console_write(s, lib::length(s)); }

inline void text(const char* s, unsigned long n) { tessera_console_write(s, n); }

inline void hex(const char* label, std::uint64_t value, int digits = 16) {
  char digits_text[16];
  text(label);
  text("0x");
  text(digits_text, lib::format_hex(digits_text, value, digits));
}

inline void decimal(std::int64_t value) {
  char digits_text[24];
  text(digits_text, lib::format_decimal(digits_text, value));
}

inline void unsigned_decimal(std::uint64_t value) {
  char digits_text[24];
  text(digits_text, lib::format_unsigned(digits_text, value));
}

// The line every report of a C++ exception raised with exceptions off ends with.
inline constexpr const char* kExceptionsOff =
    "\n  a C++ exception with exceptions off (CONFIG_CXX_EXCEPTIONS): the image stops\n";

// The calling function's own frame record, for stop() (always inlined: at -O0 a call would
// add a frame).
[[gnu::always_inline]] inline std::uint64_t frame_here() {
  return reinterpret_cast<std::uint64_t>(__builtin_frame_address(0));
}

// Prints the call chain from a frame record (frame pointer) and, first, `pc` if non-zero.
// Defined per architecture (src/arch/<arch>/backtrace.cpp).
void backtrace(std::uint64_t pc, std::uint64_t frame);

// Prints "*** tessera: <headline>" on a line of its own (after a newline, in case the
// application was in the middle of one).
inline void begin(const char* headline) {
  text("\n*** tessera: ");
  text(headline);
}

// The end of every fatal report: the backtrace from `frame` (the reporting function's own
// frame record: its first entry is that function's caller), the status line, the exit.
[[noreturn]] void stop(int status, std::uint64_t frame);

}  // namespace tessera::report
