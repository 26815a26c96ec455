#pragma once
// API: an interrupt controller (GICv2 on qemu-virt, the BCM2836 local controller on the
// Raspberry Pi 3). Static: one per machine. Interrupt numbers are the controller's own (on a
// GIC: SGIs 0-15, PPIs 16-31, SPIs from 32). The CPU's own mask (PSTATE.I) is not its
// business: an interrupt it signals still wakes a wfi with interrupts masked.

#include <concepts>
#include <cstdint>

namespace tessera::api {

template <class C>
concept InterruptController = requires(std::uint32_t irq) {
  { C::name } -> std::convertible_to<const char*>;
  { C::init() } -> std::same_as<void>;          // this core's side too; idempotent
  { C::enable(irq) } -> std::same_as<void>;
  { C::disable(irq) } -> std::same_as<void>;
  { C::pending(irq) } -> std::same_as<bool>;
  // The highest pending one, now active; C::spurious if none. On a GIC an SGI's number also
  // carries its sender above bit 9: give end() the value as it came.
  { C::acknowledge() } -> std::same_as<std::uint32_t>;
  { C::end(irq) } -> std::same_as<void>;                // done with an acknowledged interrupt
  { C::spurious } -> std::convertible_to<std::uint32_t>;
};

// An interrupt controller that lets one core interrupt another (SMP wake-ups): on a GIC, the
// software-generated interrupts.
template <class C>
concept CoreSignals = InterruptController<C> && requires(unsigned core, std::uint32_t signal) {
  { C::signal_count } -> std::convertible_to<std::uint32_t>;
  { C::signal(core, signal) } -> std::same_as<void>;  // raise `signal` at core `core`
  { C::clear_signal(signal) } -> std::same_as<void>;  // this core: forget it, pending or not
};

// A timer that raises an interrupt at a deadline on the platform clock (ticks).
template <class T>
concept DeadlineTimer = requires(std::uint64_t deadline) {
  { T::irq } -> std::convertible_to<std::uint32_t>;  // its number at the interrupt controller
  { T::arm(deadline) } -> std::same_as<void>;        // the line rises once now() >= deadline
  { T::disarm() } -> std::same_as<void>;             // and falls again
};

}  // namespace tessera::api
