#pragma once
// sync::Mutex<K, {.debug}> — a sleeping lock for the threads of kernel K: a thread that
// finds it held waits on the scheduler's wait queue instead of spinning. Needs a scheduler
// that can block (a compile error with sched::None).
// Options: .debug (default true): locking a mutex the thread already holds (a self-deadlock)
// and unlocking one it does not hold print "tessera: mutex misuse: …" with the thread's name
// and stop the kernel with exit_status_fault. Costs two compares per operation.
// Cost: a wait queue, an owner id and a flag (32 bytes); an uncontended lock is a few
// stores, no atomic instruction: nothing switches inside it (sched::Cooperative switches only
// when a thread blocks; sched::Preemptive masks interrupts around it, its critical section).

#include "tessera/api/scheduler.hpp"
#include "tessera/sync/detail/misuse.hpp"

namespace tessera::sync {

struct MutexOptions {
  bool debug = true;
};

template <class K, MutexOptions Options = MutexOptions{}>
class Mutex {
  static_assert(detail::can_block<K>,
                "tessera::sync::Mutex needs a scheduler that can block; the kernel's (sched::None) cannot: use "
                "tessera::sched::Cooperative<> (Kconfig: SCHED_COOPERATIVE)");

 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() {
    [[maybe_unused]] detail::critical_section<K> critical;
    auto& s = K::sched();
    const api::ThreadId me = s.current();
    if (Options.debug && held_ && owner_ == me)
      detail::misuse<K>("mutex misuse: locking a mutex this thread already holds (it would wait for itself forever)");
    while (held_) {
      detail::check_may_block<K>("mutex misuse: lock() would block inside an interrupt handler (a handler and a thread "
                                 "share data under an IrqSpinlock)");
      s.wait(waiters_);
    }
    held_ = true;
    owner_ = me;
  }
  bool try_lock() {
    [[maybe_unused]] detail::critical_section<K> critical;
    if (held_) return false;
    held_ = true;
    owner_ = K::sched().current();
    return true;
  }
  void unlock() {
    [[maybe_unused]] detail::critical_section<K> critical;
    auto& s = K::sched();
    if (Options.debug && (!held_ || owner_ != s.current()))
      detail::misuse<K>("mutex misuse: unlocking a mutex this thread does not hold");
    held_ = false;
    owner_ = 0;
    s.wake_one(waiters_);  // it takes the lock when it runs, unless another thread took it first
  }
  bool locked() const { return held_; }

 private:
  typename K::scheduler_type::wait_queue waiters_;
  api::ThreadId owner_ = 0;
  bool held_ = false;
};

}  // namespace tessera::sync
