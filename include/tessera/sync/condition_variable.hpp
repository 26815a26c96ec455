#pragma once
// sync::ConditionVariable<K> — waits for a condition that another thread makes true under a
// sync::Mutex: wait(m) releases m, waits for notify_one/notify_all, and takes m again before
// returning. Check the condition in a loop (another thread may have taken what was notified
// first). Needs a scheduler that can block. Interrupt-safe: notify_one() and notify_all() may
// be called from an interrupt handler (sched::Preemptive's OnTick); wait() there is misuse. Cost: one wait queue.

#include <cstdint>

#include "tessera/result.hpp"
#include "tessera/sync/detail/misuse.hpp"

namespace tessera::sync {

template <class K>
class ConditionVariable {
  static_assert(detail::can_block<K>,
                "tessera::sync::ConditionVariable needs a scheduler that can block; the kernel's (sched::None) "
                "cannot: use tessera::sched::Cooperative<> (Kconfig: SCHED_COOPERATIVE)");

 public:
  constexpr ConditionVariable() = default;
  ConditionVariable(const ConditionVariable&) = delete;
  ConditionVariable& operator=(const ConditionVariable&) = delete;

  // Releasing the mutex and starting to wait are one step for the waiter: unlock only makes a
  // waiter of the mutex ready, and the critical section keeps a preemption out until this
  // thread is on the queue.
  template <class Mutex>
  void wait(Mutex& mutex) {
    [[maybe_unused]] detail::critical_section<K> critical;
    detail::check_may_block<K>("condition variable misuse: wait() inside an interrupt handler");
    mutex.unlock();
    K::sched().wait(waiters_);
    mutex.lock();
  }
  template <class Mutex, class Predicate>
  void wait(Mutex& mutex, Predicate done) {
    while (!done()) wait(mutex);
  }
  // Error::timeout when not notified before `deadline` (platform clock ticks); the mutex is
  // held again either way.
  template <class Mutex>
  Result<void> wait_until(Mutex& mutex, std::uint64_t deadline) {
    [[maybe_unused]] detail::critical_section<K> critical;
    detail::check_may_block<K>("condition variable misuse: wait_until() inside an interrupt handler");
    mutex.unlock();
    auto waited = K::sched().wait_until(waiters_, deadline);
    mutex.lock();
    return waited;
  }
  void notify_one() {
    [[maybe_unused]] detail::critical_section<K> critical;
    K::sched().wake_one(waiters_);
  }
  void notify_all() {
    [[maybe_unused]] detail::critical_section<K> critical;
    K::sched().wake_all(waiters_);
  }

 private:
  typename K::scheduler_type::wait_queue waiters_;
};

}  // namespace tessera::sync
