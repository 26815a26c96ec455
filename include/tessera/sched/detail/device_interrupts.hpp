#pragma once
// Device interrupts under sched::Preemptive on one core. A kernel slot's component that
// finishes work by interrupt has
//   on_interrupt(irq) -> bool   true when irq is its line: it lowered the line at the device
//                               and woke its waiters (IRQs masked; it must not block), and
//   expects_interrupt() -> bool work is in flight whose completion will interrupt (the idle
//                               loop then waits for it instead of reporting "all threads
//                               blocked").
// Today block::VirtioBlk has them. Each slot is asked by a direct call, no table of handlers;
// a kernel without such a device compiles this to nothing.

#include <cstdint>

namespace tessera::sched::detail {

template <class K>
bool device_interrupt(std::uint32_t irq) {
  bool mine = false;
  if constexpr (requires { K::block().on_interrupt(irq); }) mine = K::block().on_interrupt(irq);
  if constexpr (requires { K::net().on_interrupt(irq); }) mine = mine || K::net().on_interrupt(irq);
  return mine;
}

template <class K>
bool device_interrupt_expected() {
  bool expected = false;
  if constexpr (requires { K::block().expects_interrupt(); }) expected = K::block().expects_interrupt();
  if constexpr (requires { K::net().expects_interrupt(); }) expected = expected || K::net().expects_interrupt();
  return expected;
}

}  // namespace tessera::sched::detail
