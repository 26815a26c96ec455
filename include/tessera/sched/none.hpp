#pragma once
// sched::None — run to completion: the application's entry runs on the boot stack and no
// other thread exists. It models api::Scheduler, but spawning, sleeping, joining, exiting a
// thread or waiting on a wait queue does not compile (the sentence says to pick
// sched::Cooperative); yield() does nothing and waking a wait queue wakes nobody, so drivers
// written for blocking schedulers still build. Cost: zero bytes of state, every call inlines
// to nothing.

#include <cstddef>
#include <cstdint>

#include "tessera/api/scheduler.hpp"

namespace tessera::sched {

namespace detail {
template <class... T>
inline constexpr bool cannot_block = false;  // dependent: fails only where it is instantiated
}

struct None {
  static constexpr const char* name = "sched::None";
  static constexpr bool can_block = false;
  struct wait_queue {};  // nobody ever waits on it

  constexpr Result<void> init() { return {}; }
  int run(api::AppEntry app) { return app(); }
  // The member templates below are checked by the concept through their declarations only;
  // their bodies (the static_assert) are instantiated where an application calls them.
  template <class... Unused>
  Result<api::ThreadId> spawn(api::ThreadEntry, void*, api::SpawnOptions = {}) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None runs the application to completion on one stack and cannot start threads; "
                  "use tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
    return fail(Error::not_supported);
  }
  template <class... Unused>
  void sleep_for(std::uint64_t) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None cannot block (sleep): there is no other thread to run meanwhile; use "
                  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
  }
  template <class... Unused>
  void sleep_until(std::uint64_t) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None cannot block (sleep): there is no other thread to run meanwhile; use "
                  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
  }
  template <class... Unused>
  Result<void> join(api::ThreadId) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None has no threads to join; use tessera::sched::Cooperative<> as the kernel's "
                  "scheduler (Kconfig: SCHED_COOPERATIVE)");
    return fail(Error::not_supported);
  }
  template <class... Unused>
  void exit() {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None has no threads to exit; return from the application's entry instead, or use "
                  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
  }
  template <class... Unused>
  void wait(wait_queue&) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None cannot block (wait): nothing else would run to wake the waiter; use "
                  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
  }
  template <class... Unused>
  Result<void> wait_until(wait_queue&, std::uint64_t) {
    static_assert(detail::cannot_block<Unused...>,
                  "sched::None cannot block (wait): nothing else would run to wake the waiter; use "
                  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)");
    return fail(Error::not_supported);
  }
  constexpr std::size_t wake_one(wait_queue&) { return 0; }
  constexpr std::size_t wake_all(wait_queue&) { return 0; }
  constexpr void yield() {}
  constexpr api::ThreadId current() const { return 0; }
};

static_assert(api::Scheduler<None>);

}  // namespace tessera::sched
