#pragma once
// What the blocking synchronisation types share: the check that the kernel's scheduler can
// block, and the misuse report (message, thread, exit_status_fault).

#include "tessera/exit_status.hpp"
#include "tessera/lib/format.hpp"

namespace tessera::sync::detail {

template <class K>
inline constexpr bool can_block = K::scheduler_type::can_block;

template <class K>
[[noreturn]] void misuse(const char* what) {
  auto print = [](const char* text) { K::platform::console::write(text, lib::length(text)); };
  print("tessera: ");
  print(what);
  if constexpr (requires { K::sched().current_name(); }) {
    print(" (thread ");
    print(K::sched().current_name());
    print(")");
  }
  print("\n");
  K::platform::exit(exit_status_fault);
}

}  // namespace tessera::sync::detail
