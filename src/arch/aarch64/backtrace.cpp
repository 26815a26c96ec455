// Frame-pointer backtraces on aarch64 (AAPCS64 frame records: {caller's x29, x30}). Images are
// built with -fno-omit-frame-pointer, so every non-leaf function has one.

#include <cstdint>

#include "../../libc/report.hpp"
#include "tessera/exit_status.hpp"

extern "C" const char __tessera_image_start[], __tessera_stack_top[];  // linker script

namespace tessera::report {

namespace {

// A frame record must lie on the boot stack (between the image and the stack top).
bool on_stack(std::uint64_t fp) {
  return fp % 16 == 0 && fp >= reinterpret_cast<std::uint64_t>(__tessera_image_start) &&
         fp + 16 <= reinterpret_cast<std::uint64_t>(__tessera_stack_top);
}

}  // namespace

void backtrace(std::uint64_t pc, std::uint64_t fp) {
  text("  backtrace (addresses; aarch64-linux-gnu-addr2line -e IMAGE resolves them):\n");
  int depth = 0;
  if (pc != 0) {
    hex("    #0 ", pc);
    text("\n");
    depth = 1;
  }
  for (; depth < 16 && on_stack(fp); ++depth) {
    const auto* record = reinterpret_cast<const std::uint64_t*>(fp);
    if (record[1] == 0) break;  // start.S ends the chain with a zero return address
    const char number[] = {' ', ' ', ' ', ' ', '#', depth < 10 ? '\0' : '1', static_cast<char>('0' + depth % 10), '\0'};
    text(number, 5);  // "    #", then the depth (below 16: no general decimal formatter needed)
    text(number + (depth < 10 ? 6 : 5));
    hex(" ", record[1] - 4);  // the call, not the return address
    text("\n");
    if (record[0] <= fp) break;  // frames grow towards higher addresses; anything else is garbage
    fp = record[0];
  }
}

void stop(int status, std::uint64_t frame) {
  backtrace(0, frame);
  text("*** tessera: stopping with exit status ");
  decimal(status);
  text("\n");
  tessera_exit(status);
}

}  // namespace tessera::report
