#pragma once
// What the blocking synchronisation types share: the check that the kernel's scheduler can
// block, its critical section, and the misuse report (message, thread, exit_status_fault).

#include "tessera/exit_status.hpp"
#include "tessera/lib/format.hpp"

namespace tessera::sync::detail {

template <class K>
inline constexpr bool can_block = K::scheduler_type::can_block;

// Held while a synchronisation type checks its state and waits: the scheduler's critical
// section (interrupts masked under sched::Preemptive, so no preemption between the check and
// the wait), or nothing where only the running thread can switch (sched::Cooperative).
struct NoCriticalSection {};
template <class S>
struct CriticalSectionOf {
  using type = NoCriticalSection;
};
template <class S>
  requires requires { typename S::guard; }
struct CriticalSectionOf<S> {
  using type = typename S::guard;
};
template <class K>
using critical_section = typename CriticalSectionOf<typename K::scheduler_type>::type;

template <class K>
[[noreturn]] void misuse(const char* what);

// Blocking from an interrupt handler would switch away from the interrupted thread inside
// its handler: reported, like any misuse. Free where no handler can run (sched::Cooperative).
template <class K>
inline void check_may_block(const char* what) {
  if constexpr (requires { K::scheduler_type::in_interrupt(); })
    if (K::scheduler_type::in_interrupt()) misuse<K>(what);
}

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
