#pragma once
// sched::Cooperative<{.max_threads, .stack_bytes}> — round-robin threads that switch only
// when the running one yields, sleeps, waits, joins or ends. The application's entry is the
// first thread (on the boot stack); spawn() adds threads whose stacks come from the kernel's
// allocator (K::alloc()). Sleeping is on the platform clock (K::platform::clock); with
// nothing ready but someone asleep, the CPU idles until the earliest wake time
// (K::platform::idle_until: nanosleep on hosted, wfi on qemu-virt). When every thread waits and
// nobody sleeps, nothing could ever wake them: "all threads blocked" is printed with each
// thread's name and state, and the kernel exits with exit_status_fault.
//
// Options:
//   .max_threads  threads at once, the first one included (1–65535; default 16)
//   .stack_bytes  stack of a spawned thread unless SpawnOptions::stack_bytes says otherwise
//                 (a multiple of 16, at least min_stack_bytes; default 16 KiB)
// Errors: spawn beyond max_threads → out_of_memory; a stack below min_stack_bytes or no entry
// → invalid_argument; the allocator's error when the stack cannot be had; before init() (the
// kernel initialises the scheduler after global constructors) → not_supported.
// Priorities are recorded, not used: the order is first come, first served. Returning from a
// thread's function ends it like exit(); exit() in the first thread ends the application
// with status 0, as returning from its entry does (with that entry's status).
// Stack overflow: on a platform with guard pages (qemu-virt-aarch64 with its MMU on) each
// stack has an unmapped 4 KiB page below it (allocated with the stack, page-aligned), so an
// overflow faults at its first write and the fault report starts "*** tessera: stack overflow
// in thread <name>: it ran into the unmapped guard page below its stack" (exit_status_fault).
// Everywhere, the lowest word of each spawned thread's stack also holds a canary, checked
// whenever the thread switches away; if it was overwritten, "tessera: stack overflow in thread
// <name>" is printed and the kernel exits with exit_status_fault (after the fact: the memory
// below the stack may be damaged by then; this is what hosted has).
// Cost: max_threads thread control blocks (144 bytes each on 64-bit targets) in .bss; with guard
// pages one 4 KiB page per spawned stack (and a 4 KiB table per 2 MiB block that holds one); a yield is a queue push
// and pop plus the context switch (arch/context.hpp); the clock is read only while someone
// sleeps.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tessera/api/clock.hpp"
#include "tessera/api/scheduler.hpp"
#include "tessera/exit_status.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/sched/detail/smp.hpp"
#include "tessera/sched/detail/thread.hpp"

namespace tessera::sched {

struct CooperativeOptions {
  std::size_t max_threads = 16;
  std::size_t stack_bytes = 16 * 1024;
};

namespace detail {

// What distinguishes a preemptive scheduler from the cooperative one; the thread machinery
// (ThreadScheduler below) is shared. The cooperative policy is empty: nothing interrupts a
// thread, so nothing needs masking, and the ready queue is first come, first served.
struct CooperativePolicy {
  static constexpr const char* name = "sched::Cooperative";
  static constexpr bool by_priority = false;
  struct Guard {};  // a critical section: nothing to do when only the running thread can switch
  template <class K>
  static void started() {}  // the application's first thread is about to run
  template <class K>
  static void stopped() {}  // it has returned
  template <class K>
  static void switched_in() {}  // a thread (re)starts running
  template <class K>
  static void thread_begins() {}  // first thing in a new thread
};

template <class K, CooperativeOptions Options, class Policy>
class ThreadScheduler {
 public:
  // Below this a new thread's first frame plus a few calls would not fit.
  static constexpr std::size_t min_stack_bytes = 1024;
  static constexpr const char* name = Policy::name;
  static constexpr bool can_block = true;
  static constexpr CooperativeOptions options = Options;
  using policy = Policy;  // e.g. policy::slice_us under sched::Preemptive
  using wait_queue = WaitQueue;
  // One core of a sched::PerCore kernel (K is its detail::OnCore view): the scheduling lock
  // (detail/smp.hpp) guards every operation, wake-ups signal other cores, and a core with
  // nothing to run waits for one.
  static constexpr bool smp = requires { K::core_index; };
  // Whether drivers may sleep until their device's interrupt (sched::Preemptive on one core:
  // its IRQ entry hands device interrupts to the kernel's devices, detail/device_interrupts.hpp);
  // otherwise they poll.
  static constexpr bool device_interrupts = !smp && requires { requires Policy::device_interrupts; };
  // What sync:: holds while it checks and waits.
  using guard = std::conditional_t<smp, detail::SmpGuard<K>, typename Policy::Guard>;

  Result<void> init() {
    core_.reset(threads_, Options.max_threads, Policy::by_priority);
    if constexpr (smp) core_.set_index(K::core_index);
    return {};
  }

  int run(api::AppEntry app) {
    {
      // Under the lock on SMP: another core may already be spawning onto this one.
      [[maybe_unused]] guard critical;
      Thread* first = core_.claim();
      first->name = "main";
      core_.adopt_boot_thread(first);
    }
    if constexpr (requires { K::platform::threads_started(&core_); }) K::platform::threads_started(&core_);
    Policy::template started<K>();
    const int status = app();
    Policy::template stopped<K>();
    return status;
  }

  Result<api::ThreadId> spawn(api::ThreadEntry entry, void* argument, api::SpawnOptions spawn = {}) {
    const std::size_t bytes = spawn.stack_bytes ? spawn.stack_bytes : Options.stack_bytes;
    if (!entry || bytes < min_stack_bytes) return fail(Error::invalid_argument);
    if (core_.count() == 0) return fail(Error::not_supported);  // before init(): a global constructor
    [[maybe_unused]] guard critical;
    Thread* t = core_.claim();
    if (!t) return fail(Error::out_of_memory);
    constexpr std::size_t guard = guard_bytes();
    auto stack = [&] {
      [[maybe_unused]] detail::HeapGuard<K> heap;
      return K::alloc().allocate(bytes + guard, guard ? guard : 16);
    }();
    if (!stack) {
      t->state = State::free;
      return fail(stack.error());
    }
    if constexpr (guard != 0) {
      if (auto unmapped = unmap_guard_page(stack.value()); !unmapped) {
        [[maybe_unused]] detail::HeapGuard<K> heap;
        (void)K::alloc().deallocate(stack.value());
        t->state = State::free;
        return fail(unmapped.error());
      }
    }
    t->stack = static_cast<std::byte*>(stack.value()) + guard;
    detail::set_stack_canary(t->stack);
    t->stack_bytes = bytes;
    t->name = spawn.name ? spawn.name : "thread";
    t->priority = spawn.priority;
    t->detached = spawn.detached;
    arch::prepare(t->context, t->stack, bytes, &begin, entry, argument, &finish);
    core_.make_ready(t);
    return core_.id_of(t);
  }

  void yield() {
    [[maybe_unused]] guard critical;
    if (core_.nothing_ready() && core_.nobody_sleeps()) return;  // nobody else to run
    core_.current_yields();
    reschedule();
  }

  void sleep_until(std::uint64_t deadline) {
    [[maybe_unused]] guard critical;
    core_.current_sleeps_until(deadline);
    reschedule();
  }
  void sleep_for(std::uint64_t ns) { sleep_until(clock::now() + ticks_from_ns(ns)); }

  api::ThreadId current() const { return core_.id_of(core_.current()); }
  // Whether an interrupt handler is running (sync:: types must not block then).
  static bool in_interrupt() {
    if constexpr (requires { Policy::template in_interrupt<K>(); })
      return Policy::template in_interrupt<K>();
    else
      return false;
  }
  const char* current_name() const { return core_.current() ? core_.current()->name : "(none)"; }

  // One joiner gets ok; others waiting for the same thread get invalid_argument.
  Result<void> join(api::ThreadId id) {
    [[maybe_unused]] guard critical;
    Thread* t = core_.find(id);
    if (!t || t == core_.current() || t->detached) return fail(Error::invalid_argument);
    while (t->state != State::finished) {
      wait(t->joiners);
      if (core_.find(id) != t) return fail(Error::invalid_argument);  // another joiner was first
    }
    t->state = State::free;  // the id is stale from here on
    return {};
  }

  [[noreturn]] void exit() {
    [[maybe_unused]] guard critical;  // never released: the thread ends inside it
    Thread* t = core_.current();
    if (!t->stack) K::platform::exit(0);  // the first thread: the application ends
    wake_all(t->joiners);
    core_.current_dies();
    reschedule();
    __builtin_trap();  // a dead thread is never switched to
  }

  void wait(wait_queue& q) {
    [[maybe_unused]] guard critical;
    core_.current_waits(q);
    reschedule();
  }
  Result<void> wait_until(wait_queue& q, std::uint64_t deadline) {
    [[maybe_unused]] guard critical;
    core_.current_waits_until(q, deadline);
    reschedule();
    if (core_.current()->timed_out) return fail(Error::timeout);
    return {};
  }
  std::size_t wake_one(wait_queue& q) { return wake(q, 1); }
  std::size_t wake_all(wait_queue& q) { return wake(q, ~std::size_t{0}); }
  std::size_t wake(wait_queue& q, std::size_t most) {
    [[maybe_unused]] guard critical;
    if constexpr (smp) {
      std::uint32_t cores = 0;
      const std::size_t woken = detail::Core::wake(q, most, &cores);
      detail::smp_made_ready<typename K::platform>(cores);
      return woken;
    } else {
      return detail::Core::wake(q, most);
    }
  }

  // The timer interrupt's part (a preemptive policy's handler calls it with interrupts
  // masked): sleepers whose time has come wake, and the running thread gives way to the first
  // ready thread unless that one has a lower priority.
  void preempt() {
    [[maybe_unused]] guard critical;  // already masked by the interrupt; on SMP, the lock
    Thread* running = core_.current();
    if (!core_.nobody_sleeps()) core_.wake_sleepers(clock::now());
    if (!running || core_.nothing_ready() || core_.first_ready_priority() < running->priority) {
      Policy::template switched_in<K>();  // a new slice for the same thread
      return;
    }
    core_.current_yields();
    reschedule();
  }

  // Nanoseconds to clock ticks, rounded up (a sleep is never shorter than asked).
  static std::uint64_t ticks_from_ns(std::uint64_t ns) {
    const std::uint64_t f = clock::frequency();
    return ns / 1'000'000'000u * f + (ns % 1'000'000'000u * f + 999'999'999u) / 1'000'000'000u;
  }

 private:
  using clock = typename K::platform::clock;

  // The running thread has been put where it belongs (ready queue, wait queue, sleepers,
  // dead list); run the next ready thread. Inline: it is the switch path (a yield between
  // two threads is this, the queue push and the context switch). Sleepers, idling and
  // reaping are out of line.
  [[gnu::always_inline]] void reschedule() {
    const Thread* leaving = core_.current();
    if (leaving->stack && !detail::stack_canary_intact(leaving->stack)) stack_overflow(leaving);
    Thread* next = core_.nobody_sleeps() ? core_.next_ready() : nullptr;
    if (!next) next = next_after_sleepers();
    if (next != core_.current())
      core_.switch_to(next);
    else
      next->state = State::running;  // it yielded and nobody else was ready
    if (core_.someone_died()) reap();
    Policy::template switched_in<K>();
  }

  // Wakes the sleepers whose time has come and returns the first ready thread, idling until
  // the earliest wake time while there is none; "all threads blocked" if nobody sleeps.
  [[gnu::noinline]] Thread* next_after_sleepers() {
    for (;;) {
      if (!core_.nobody_sleeps()) core_.wake_sleepers(clock::now());
      if (Thread* next = core_.next_ready()) return next;
      const std::uint64_t wake = core_.nobody_sleeps() ? ~std::uint64_t{0} : core_.next_wake();
      if constexpr (smp) {
        // With an interrupt hook (sched::Preemptive's OnTick) the core idles one tick at a
        // time, without the scheduling lock (the hook's wake-ups take it), then looks again:
        // another core may have made one of ours ready meanwhile. Otherwise it waits for a
        // signal. (Device interrupts reach one core only: no waiting for them here.)
        if constexpr (requires { requires Policy::tick_hook; }) {
          detail::smp_unlock();
          (void)Policy::template idle_for_tick<K>(wake);
          detail::smp_lock(K::core_index);
        } else {
          smp_idle();
        }
      } else {
        // With an interrupt hook, or a device's interrupt to come, the CPU idles one interrupt
        // at a time: the hook or the driver may wake a thread, also while every thread sleeps
        // or waits.
        if constexpr (requires { Policy::template idle_for_tick<K>(std::uint64_t{}); })
          if (Policy::template idle_for_tick<K>(wake)) continue;
        if (core_.nobody_sleeps()) all_blocked();
        idle_until(wake);
      }
    }
  }

  // SMP: another core may wake one of ours, so with nobody asleep this core waits for its
  // signal (K::platform::wake_core), without the scheduling lock. Only when every core running
  // an application entry waits so is nothing able to wake anyone.
  void smp_idle() {
    const bool stalled = core_.nobody_sleeps();
    if (stalled) {
      detail::smp.stalled |= std::uint32_t{1} << K::core_index;
      if ((detail::smp.stalled & detail::smp.live) == detail::smp.live) all_blocked();
    }
    detail::smp_unlock();
    K::platform::idle_until(stalled ? ~std::uint64_t{0} : core_.next_wake());
    detail::smp_lock(K::core_index);
    detail::smp.stalled &= ~(std::uint32_t{1} << K::core_index);
  }

  void idle_until(std::uint64_t deadline) {
    if constexpr (requires { K::platform::idle_until(deadline); })
      K::platform::idle_until(deadline);
    else
      while (clock::now() < deadline) {}
  }

  // Stacks of threads that have ended go back to the allocator (not possible while they
  // were still running on them).
  [[gnu::noinline]] void reap() {
    while (Thread* t = core_.next_dead()) {
      arch::stack_released(t->stack, t->stack_bytes);
      constexpr std::size_t guard = guard_bytes();
      if constexpr (guard != 0) K::platform::remap_guard_page(reinterpret_cast<std::uintptr_t>(t->stack - guard));
      [[maybe_unused]] detail::HeapGuard<K> heap;
      (void)K::alloc().deallocate(t->stack - guard);
      t->stack = nullptr;
      t->state = t->detached ? State::free : State::finished;
    }
  }

  // The platform's guard page below each stack (0: it has none, e.g. hosted or the MMU off).
  static constexpr std::size_t guard_bytes() {
    if constexpr (requires(std::uintptr_t page, void* table) {
                    K::platform::unmap_guard_page(page, table);
                    K::platform::guard_page_bytes;
                  })
      return K::platform::guard_page_bytes;
    else
      return 0;
  }
  // Unmaps the lowest page of a new stack; the page tables may need a table (kept for good).
  [[gnu::noinline]] static Result<void> unmap_guard_page(void* page) {
    const auto address = reinterpret_cast<std::uintptr_t>(page);
    void* table = nullptr;
    if (K::platform::guard_page_needs_table(address)) {
      auto fresh = [] {
        [[maybe_unused]] detail::HeapGuard<K> heap;
        return K::alloc().allocate(K::platform::guard_page_bytes, K::platform::guard_page_bytes);
      }();
      if (!fresh) return fail(fresh.error());
      table = fresh.value();
    }
    return K::platform::unmap_guard_page(address, table);
  }

  [[noreturn, gnu::noinline]] static void stack_overflow(const Thread* t) {
    print("tessera: stack overflow in thread ");
    print(t->name);
    print(": the lowest word of its stack was overwritten (make its stack larger: SpawnOptions::stack_bytes or "
          "the scheduler's .stack_bytes)\n");
    K::platform::exit(exit_status_fault);
  }

  [[noreturn]] void all_blocked() {
    if constexpr (smp) {
      print("tessera: all threads blocked on every core: nothing is ready and nobody sleeps, so no thread can ever "
            "be woken (core ");
      const char digit[2] = {static_cast<char>('0' + K::core_index), 0};
      print(digit);
      print("'s threads:)\n");
    } else
      print("tessera: all threads blocked: nothing is ready and nobody sleeps, so no thread can ever be woken\n");
    for (std::size_t i = 0; i < core_.count(); ++i) {
      const Thread& t = core_.slot(i);
      if (t.state == State::free || t.state == State::finished) continue;
      print("  thread ");
      print(t.name);
      print(": ");
      print(detail::state_name(t.state));
      print(&t == core_.current() ? " (the last to run)\n" : "\n");
    }
    K::platform::exit(exit_status_fault);
  }
  static void print(const char* text) { K::platform::console::write(text, lib::length(text)); }

  // The hooks a new thread's first frame runs (arch::prepare): they reach the scheduler
  // through the kernel type, so they are plain functions with no state of their own.
  static void begin() {
    auto& self = K::sched();
    self.core_.arrived_new();
    self.reap();
    if constexpr (smp) detail::smp_unlock();  // the switch into it held the lock: nothing will release it
    Policy::template thread_begins<K>();
  }
  [[noreturn]] static void finish() { K::sched().exit(); }

  Thread threads_[Options.max_threads] = {};
  detail::Core core_;
};

}  // namespace detail

template <CooperativeOptions Options = CooperativeOptions{}>
struct Cooperative {
  static constexpr std::size_t min_stack_bytes = 1024;
  static_assert(Options.max_threads >= 1 && Options.max_threads <= 0xffff,
                "sched::Cooperative: .max_threads must be 1 to 65535 (the first thread counts)");
  static_assert(Options.stack_bytes >= min_stack_bytes,
                "sched::Cooperative: .stack_bytes must be at least 1024 (Cooperative<>::min_stack_bytes)");
  static_assert(Options.stack_bytes % 16 == 0, "sched::Cooperative: .stack_bytes must be a multiple of 16");

  template <class K>
  using bind = detail::ThreadScheduler<K, Options, detail::CooperativePolicy>;
};

}  // namespace tessera::sched
