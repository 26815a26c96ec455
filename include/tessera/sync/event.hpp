#pragma once
// sync::Event<K> — a flag threads wait for: set() wakes every waiter and lets later ones
// through until clear() (manual reset). For "the device is ready", "shut down now". Needs a
// scheduler that can block. Interrupt-safe: set(), clear() and is_set() may be called from an
// interrupt handler (sched::Preemptive's OnTick); wait() there is reported as misuse. Cost: a wait queue and a flag.

#include <cstdint>

#include "tessera/result.hpp"
#include "tessera/sync/detail/misuse.hpp"

namespace tessera::sync {

template <class K>
class Event {
  static_assert(detail::can_block<K>,
                "tessera::sync::Event needs a scheduler that can block; the kernel's (sched::None) cannot: use "
                "tessera::sched::Cooperative<> (Kconfig: SCHED_COOPERATIVE)");

 public:
  constexpr Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set() {
    [[maybe_unused]] detail::critical_section<K> critical;
    set_ = true;
    K::sched().wake_all(waiters_);
  }
  void clear() { set_ = false; }
  bool is_set() const { return set_; }
  void wait() {
    [[maybe_unused]] detail::critical_section<K> critical;
    while (!set_) {
      detail::check_may_block<K>("event misuse: wait() would block inside an interrupt handler (use is_set() there)");
      K::sched().wait(waiters_);
    }
  }
  // Error::timeout when not set before `deadline` (platform clock ticks).
  Result<void> wait_until(std::uint64_t deadline) {
    [[maybe_unused]] detail::critical_section<K> critical;
    while (!set_) {
      detail::check_may_block<K>("event misuse: wait_until() would block inside an interrupt handler");
      if (auto waited = K::sched().wait_until(waiters_, deadline); !waited) return waited;
    }
    return {};
  }

 private:
  typename K::scheduler_type::wait_queue waiters_;
  bool set_ = false;
};

}  // namespace tessera::sync
