#pragma once
// lib::say<P>(a, b) — writes "tessera: <a><b>\n" on platform P's console: how a driver says
// why its init() failed before the kernel panics with the error (virtio-net, virtio-blk, the
// SD card). Two parts, so a fixed sentence and a to_string() need no formatting buffer.

#include "tessera/lib/format.hpp"

namespace tessera::lib {

template <class P>
void say(const char* a, const char* b = "") {
  P::console::write("tessera: ", 9);
  P::console::write(a, length(a));
  P::console::write(b, length(b));
  P::console::write("\n", 1);
}

}  // namespace tessera::lib
