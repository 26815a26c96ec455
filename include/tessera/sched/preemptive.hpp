#pragma once
// sched::Preemptive<{.max_threads, .stack_bytes, .slice_us}> — threads with priorities and
// time slices: every slice_us the timer interrupt lets the running thread give way to the
// first ready thread of the same or a higher priority, so threads that never yield still
// share the CPU. Everything else is sched::Cooperative's (detail::ThreadScheduler): stacks from
// K::alloc(), sleeping on K::platform::clock, wait queues, join, "all threads blocked".
// Needs a platform with an interrupt controller and a deadline timer
// (K::platform::interrupt_controller, K::platform::timer: qemu-virt-aarch64); aarch64 only.
//
// How: when the application starts, the scheduler installs tessera_preempt_vectors
// (src/arch/aarch64/preempt_vectors.S) in VBAR_EL1, whose IRQ entry saves the interrupted
// thread's caller-saved registers on its own stack and calls the handler; the handler may
// switch threads from there (the interrupted thread resumes in it later and erets). Every
// scheduler operation runs with IRQs masked (detail::IrqGuard, which nests), so a thread
// switched in from a handler and one resumed from a voluntary switch each get back the mask
// they had. The ready queue is ordered by priority (higher first, FIFO among equals).
//
// Options: .max_threads, .stack_bytes as for sched::Cooperative; .slice_us, the time slice in
// microseconds (100 to 1,000,000; default 10,000). A second template argument, OnTick, is a
// function the timer interrupt calls every slice (IRQs masked; while the CPU idles, at every
// timer interrupt, at least once a slice), which may signal threads
// through the interrupt-safe operations of tessera::sync (Event::set, Semaphore::release,
// ConditionVariable::notify_*, IrqSpinlock) but not block: a blocking sync:: call inside it is
// reported as misuse.
// Device interrupts (one core): an interrupt that a kernel slot's device claims
// (detail/device_interrupts.hpp: block::VirtioBlk's request completions) wakes the device's
// waiters, and the running thread gives way to them as at the end of a slice; while the CPU
// idles with such work in flight, it waits for that interrupt. Others are acknowledged and
// ignored. Not yet: the allocator and picolibc's stdio are not serialised, so threads that may be preempted
// must not call them at the same time (guard them with a sync::Mutex).
// Cost: Cooperative's, plus a mask save/restore per operation and a timer write per switch.

#include <cstddef>
#include <cstdint>

#include "tessera/api/interrupt_controller.hpp"
#include "tessera/sched/cooperative.hpp"
#include "tessera/sched/detail/device_interrupts.hpp"

extern "C" void (*tessera_irq_hooks[8])();       // src/arch/aarch64/preempt_vectors.S: one per core
extern "C" const char tessera_preempt_vectors[];  // the vector table (2 KiB aligned)

namespace tessera::sched {

struct PreemptiveOptions {
  std::size_t max_threads = 16;
  std::size_t stack_bytes = 16 * 1024;
  std::uint32_t slice_us = 10'000;
};

namespace detail {

// IRQs masked while it lives (PSTATE.I, Arm ARM C5.2.2 DAIF); the previous mask comes back
// when it ends, so guards nest.
struct IrqGuard {
  std::uint64_t daif;
  IrqGuard() { asm volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(daif)::"memory"); }
  ~IrqGuard() { asm volatile("msr daif, %0" ::"r"(daif) : "memory"); }
  IrqGuard(const IrqGuard&) = delete;
  IrqGuard& operator=(const IrqGuard&) = delete;
};

template <std::uint32_t SliceUs, void (*OnTick)() = nullptr>
struct PreemptivePolicy {
  static constexpr const char* name = "sched::Preemptive";
  static constexpr std::uint32_t slice_us = SliceUs;
  static constexpr bool by_priority = true;
  static constexpr bool device_interrupts = true;  // drivers may sleep until their interrupt
  static constexpr bool tick_hook = OnTick != nullptr;
  using Guard = IrqGuard;

  // True while the interrupt handler runs on that core: sync:: types refuse to block then (a
  // misuse report). One flag per core: two cores may share this policy (same options).
  static inline bool in_handler[8] = {};
  template <class K>
  static bool in_interrupt() {
    return in_handler[core_of<K>()];
  }

  // Whether K's platform has what preemption needs (the static_assert in started() says so
  // once; the other hooks compile to nothing without it, so that is the only error).
  template <class K>
  static constexpr bool has_parts = requires {
    typename K::platform::interrupt_controller;
    typename K::platform::timer;
  };

  template <class K>
  static void started() {
    using P = typename K::platform;
    static_assert(has_parts<K>,
                  "sched::Preemptive needs a platform with an interrupt controller and a timer "
                  "(platform::QemuVirtAarch64); on this platform use tessera::sched::Cooperative<>");
    if constexpr (has_parts<K>) {
      static_assert(api::InterruptController<typename P::interrupt_controller>);
      static_assert(api::DeadlineTimer<typename P::timer>);
      tessera_irq_hooks[core_of<K>()] = &on_interrupt<K>;
      asm volatile("msr vbar_el1, %0\n\tisb" ::"r"(tessera_preempt_vectors) : "memory");
      P::interrupt_controller::init();
      P::interrupt_controller::enable(P::timer::irq);
      arm_slice<K>();
      asm volatile("msr daifclr, #2" ::: "memory");  // IRQs on: preemption starts
    }
  }
  // This core's number: only SMP kernels have more than core 0 (each core its own hook).
  template <class K>
  static unsigned core_of() {
    if constexpr (requires { K::core_index; })
      return K::core_index;
    else
      return 0;
  }
  template <class K>
  static void stopped() {
    asm volatile("msr daifset, #2" ::: "memory");
    if constexpr (has_parts<K>) K::platform::timer::disarm();
  }
  template <class K>
  static void switched_in() {
    arm_slice<K>();
  }
  // Nothing is ready, but OnTick or a device's interrupt may wake a thread: wait for the next
  // interrupt (at the latest the end of a slice, or `wake` if a sleeper's time comes first)
  // here, IRQs still masked (wfi wakes on the pending interrupt, Arm ARM D1.16.2), and handle
  // it as the IRQ entry would. False without a hook and with no device work in flight: the
  // scheduler then idles until `wake`, or reports "all threads blocked".
  template <class K>
  static bool idle_for_tick([[maybe_unused]] std::uint64_t wake) {
    if constexpr (!has_parts<K>) {
      return false;
    } else {
      if constexpr (OnTick == nullptr) {
        if (!devices_interrupt<K>()) return false;
      }
      using Controller = typename K::platform::interrupt_controller;
      using Clock = typename K::platform::clock;
      const std::uint64_t slice_end = Clock::now() + Clock::frequency() * SliceUs / 1'000'000;
      K::platform::timer::arm(wake < slice_end ? wake : slice_end);
      asm volatile("dsb sy\n\twfi" ::: "memory");
      const std::uint32_t irq = Controller::acknowledge();
      if (irq == Controller::spurious) return true;
      if (irq == K::platform::timer::irq) arm_slice<K>();
      else device<K>(irq);
      Controller::end(irq);
      if constexpr (OnTick != nullptr) {
        if (irq == K::platform::timer::irq) {
          in_handler[core_of<K>()] = true;
          OnTick();
          in_handler[core_of<K>()] = false;
        }
      }
      return true;
    }
  }
  template <class K>
  static void thread_begins() {
    arm_slice<K>();
    asm volatile("msr daifclr, #2" ::: "memory");  // it started inside a masked switch
  }

 private:
  template <class K>
  static void arm_slice() {
    using Clock = typename K::platform::clock;
    if constexpr (has_parts<K>) K::platform::timer::arm(Clock::now() + Clock::frequency() * SliceUs / 1'000'000);
  }
  // The IRQ entry's handler (IRQs masked by the exception). The timer is re-armed before the
  // end of the interrupt, so its level-triggered line is low again when the GIC looks. On SMP
  // a signal from another core (a thread of ours became ready) is a reason to look too.
  template <class K>
  static void on_interrupt() {
    using Controller = typename K::platform::interrupt_controller;
    const std::uint32_t irq = Controller::acknowledge();
    if (irq == Controller::spurious) return;
    const bool tick = irq == K::platform::timer::irq;
    if (tick) arm_slice<K>();
    const bool device_work = !tick && device<K>(irq);  // the device lowers its line before the end
    Controller::end(irq);
    bool signalled = false;
    if constexpr (requires { K::core_index; }) signalled = (irq & 0x3ff) == K::platform::wake_signal;
    if constexpr (OnTick != nullptr) {
      if (tick) {
        in_handler[core_of<K>()] = true;
        OnTick();
        in_handler[core_of<K>()] = false;
      }
    }
    if (tick || signalled || device_work) K::sched().preempt();
  }
  // Device interrupts reach drivers on one core only (sched::PerCore's cores poll).
  template <class K>
  static constexpr bool single_core = !requires { K::core_index; };
  // Whether a device has work in flight that will interrupt.
  template <class K>
  static bool devices_interrupt() {
    if constexpr (single_core<K>)
      return device_interrupt_expected<K>();
    else
      return false;
  }
  // Hands irq to the device whose line it is (true if one took it), as an interrupt handler.
  template <class K>
  static bool device(std::uint32_t irq) {
    if constexpr (single_core<K>) {
      in_handler[core_of<K>()] = true;
      const bool mine = device_interrupt<K>(irq);
      in_handler[core_of<K>()] = false;
      return mine;
    } else {
      return false;
    }
  }
};

}  // namespace detail

// OnTick: called by the timer interrupt at the end of every slice, IRQs masked, before the
// scheduler picks the next thread: it may signal threads (sync::Event::set,
// Semaphore::release, ConditionVariable::notify_*, an IrqSpinlock), never block. A template
// argument of its own (a compile-time constant, so a direct call; g++ 12 rejects function
// pointers inside the options aggregate): Preemptive<{.slice_us = 1000}, &on_tick>.
template <PreemptiveOptions Options = PreemptiveOptions{}, void (*OnTick)() = nullptr>
struct Preemptive {
  static constexpr std::size_t min_stack_bytes = 1024;
  static_assert(Options.max_threads >= 1 && Options.max_threads <= 0xffff,
                "sched::Preemptive: .max_threads must be 1 to 65535 (the first thread counts)");
  static_assert(Options.stack_bytes >= min_stack_bytes,
                "sched::Preemptive: .stack_bytes must be at least 1024 (Preemptive<>::min_stack_bytes)");
  static_assert(Options.stack_bytes % 16 == 0, "sched::Preemptive: .stack_bytes must be a multiple of 16");
  static_assert(Options.slice_us >= 100 && Options.slice_us <= 1'000'000,
                "sched::Preemptive: .slice_us (the time slice) must be 100 to 1,000,000 microseconds");

  template <class K>
  using bind = detail::ThreadScheduler<K, CooperativeOptions{Options.max_threads, Options.stack_bytes},
                                       detail::PreemptivePolicy<Options.slice_us, OnTick>>;
};

}  // namespace tessera::sched
