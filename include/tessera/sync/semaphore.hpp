#pragma once
// sync::Semaphore<K> — a counter of available units: acquire() takes one, waiting while
// there are none; release(n) adds n and wakes up to n waiters. Needs a scheduler that can
// block. Interrupt-safe: release(), try_acquire() and count() may be called from an interrupt
// handler (sched::Preemptive's OnTick); acquire() there is reported as misuse. Cost: a wait queue and a count; no atomic instructions (the scheduler's critical
// section, see sync::Mutex).

#include <cstddef>
#include <cstdint>

#include "tessera/result.hpp"
#include "tessera/sync/detail/misuse.hpp"

namespace tessera::sync {

template <class K>
class Semaphore {
  static_assert(detail::can_block<K>,
                "tessera::sync::Semaphore needs a scheduler that can block; the kernel's (sched::None) cannot: use "
                "tessera::sched::Cooperative<> (Kconfig: SCHED_COOPERATIVE)");

 public:
  constexpr explicit Semaphore(std::size_t initial = 0) : count_(initial) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire() {
    [[maybe_unused]] detail::critical_section<K> critical;
    while (count_ == 0) {
      detail::check_may_block<K>("semaphore misuse: acquire() would block inside an interrupt handler (use try_acquire() there)");
      K::sched().wait(waiters_);
    }
    --count_;
  }
  bool try_acquire() {
    [[maybe_unused]] detail::critical_section<K> critical;
    if (count_ == 0) return false;
    --count_;
    return true;
  }
  // Error::timeout when no unit came before `deadline` (platform clock ticks).
  Result<void> acquire_until(std::uint64_t deadline) {
    [[maybe_unused]] detail::critical_section<K> critical;
    while (count_ == 0) {
      detail::check_may_block<K>("semaphore misuse: acquire_until() would block inside an interrupt handler");
      if (auto waited = K::sched().wait_until(waiters_, deadline); !waited) return waited;
    }
    --count_;
    return {};
  }
  void release(std::size_t n = 1) {
    [[maybe_unused]] detail::critical_section<K> critical;
    count_ += n;
    for (std::size_t i = 0; i < n && K::sched().wake_one(waiters_); ++i) {}
  }
  std::size_t count() const { return count_; }

 private:
  typename K::scheduler_type::wait_queue waiters_;
  std::size_t count_;
};

}  // namespace tessera::sync
