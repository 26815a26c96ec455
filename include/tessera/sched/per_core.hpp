#pragma once
// sched::PerCore<S0, S1, …> — a different scheduler on each core of an SMP machine: core n
// runs Sn (sched::Cooperative, sched::Preemptive or sched::None, each with its own options).
// Core 0 runs the application's entry under S0 as usual; the application starts each other
// core with start(n, entry), which runs `entry` as that core's first thread under Sn, and
// may wait for its status with join_core(n). Needs a platform with several cores
// (K::platform::max_cores, core_id, start_core, wake_core: qemu-virt-aarch64, -smp N).
//
// As a Scheduler, PerCore forwards each call to the calling core's scheduler: spawn (on the
// calling core, or on SpawnOptions::core), yield, sleep, join (threads of the calling core),
// exit, wait. Spawning onto another core needs that core started and its entry not yet
// returned (else invalid_argument: the thread would never run). Wake-ups work from any core,
// also from a sched::None core (an event loop may wake a thread of another core): the woken
// thread goes back to its own core's ready queue and that core gets a software-generated
// interrupt (detail/smp.hpp has the one scheduling lock all cores share). Threads never move
// between cores. Blocking (wait, sleep, join, sync::Mutex …) on a sched::None core stops the
// kernel with a message: nothing else would run there. Thread ids carry their core in bits
// 12–15, so each scheduler has at most 4096 threads.
// Options: the schedulers, one per core (1 to 8, at most K::platform::max_cores);
// .core_stack_bytes of each started core's first stack is PerCoreOptions' (16 KiB).
// Cost: the schedulers' own, plus the scheduling lock (an exclusive pair and a store-release
// per operation) and interrupts masked during each operation; malloc/new take a heap lock.

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tessera/api/scheduler.hpp"
#include "tessera/exit_status.hpp"
#include "tessera/kernel.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/sched/detail/smp.hpp"
#include "tessera/sched/detail/thread.hpp"

namespace tessera::sched {

namespace detail {

// Kernel K as core I's scheduler sees it: K::sched() is that core's scheduler; the platform
// and the allocator are K's. (Not derived from K: K is still incomplete while its scheduler
// slot is bound.)
template <class K, unsigned I>
struct OnCore {
  using platform = typename K::platform;
  static constexpr unsigned core_index = I;
  static constexpr unsigned cores = K::scheduler_type::cores;
  static auto& alloc() { return K::alloc(); }
  static auto& sched() { return K::sched().template on<I>(); }
};

template <class K, class Indices, class... S>
struct CoreSchedulers;
template <class K, std::size_t... I, class... S>
struct CoreSchedulers<K, std::index_sequence<I...>, S...> {
  using type = std::tuple<bound_t<S, OnCore<K, static_cast<unsigned>(I)>>...>;
};

inline constexpr api::ThreadId core_shift = 12, core_bits = api::ThreadId{0xf} << core_shift;

}  // namespace detail

template <class... Schedulers>
struct PerCore {
  static_assert(sizeof...(Schedulers) >= 1 && sizeof...(Schedulers) <= 8,
                "sched::PerCore<S0, S1, …>: one scheduler per core, 1 to 8 of them");

  template <class K>
  class bind {
    using Tuple = typename detail::CoreSchedulers<K, std::index_sequence_for<Schedulers...>, Schedulers...>::type;
    template <unsigned I>
    using At = std::tuple_element_t<I, Tuple>;
    using P = typename K::platform;

   public:
    static constexpr const char* name = "sched::PerCore";
    static constexpr unsigned cores = sizeof...(Schedulers);
    static constexpr bool can_block = []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::tuple_element_t<I, Tuple>::can_block || ...);
    }(std::index_sequence_for<Schedulers...>{});
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
      return ([] {
        using S = std::tuple_element_t<I, Tuple>;
        if constexpr (requires { S::options.max_threads; })
          return S::options.max_threads <= 4096;
        else
          return true;
      }() && ...);
    }(std::index_sequence_for<Schedulers...>{}),
                  "sched::PerCore: each core's scheduler may have at most 4096 threads (.max_threads): thread ids "
                  "carry the core in bits 12-15");
    static constexpr std::size_t core_stack_bytes = 16 * 1024;
    using wait_queue = WaitQueue;
    using guard = detail::SmpGuard<K>;

    static_assert(requires { P::max_cores; P::core_id(); P::wake_core(0u); },
                  "sched::PerCore needs a platform with several cores (platform::QemuVirtAarch64 with -smp N); "
                  "this platform has one: use one scheduler, e.g. tessera::sched::Cooperative<>");

    // Core I's scheduler (the one its threads run under).
    template <unsigned I>
    At<I>& on() {
      return std::get<I>(schedulers_);
    }
    // The scheduler's name on each core, e.g. for a banner ("core 2: sched::Preemptive").
    static constexpr const char* core_scheduler_name(unsigned core) {
      constexpr auto names = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<const char*, cores>{std::tuple_element_t<I, Tuple>::name...};
      }(std::index_sequence_for<Schedulers...>{});
      return core < cores ? names[core] : "(no such core)";
    }

    Result<void> init() {
      return init_each(std::index_sequence_for<Schedulers...>{});
    }

    // Core 0: the application's entry under S0.
    int run(api::AppEntry app) {
      listen_for_wake_ups();
      return on<0>().run(app);
    }

    // Starts core `core` running `entry` as its first thread under its scheduler. Errors:
    // invalid_argument (core 0, beyond the schedulers, already started), not_supported (the
    // machine has fewer cores: QEMU -smp), timeout (it did not come up), the allocator's for
    // its stack.
    Result<void> start(unsigned core, api::AppEntry entry) {
      if (core == 0 || core >= cores || !entry) return fail(Error::invalid_argument);
      if (core >= P::max_cores) return fail(Error::not_supported);
      if (__atomic_load_n(&state_[core], __ATOMIC_ACQUIRE) != CoreState::idle) return fail(Error::invalid_argument);
      auto stack = [&] {
        [[maybe_unused]] detail::HeapGuard<K> heap;
        return K::alloc().allocate(core_stack_bytes, 16);
      }();
      if (!stack) return fail(stack.error());
      entries_[core] = entry;
      {
        // Live from now, not from when the core gets to its entry: meanwhile this core may
        // wait for it, and must not then look like the last one able to run anything.
        [[maybe_unused]] guard critical;
        detail::smp.live |= std::uint32_t{1} << core;
        __atomic_store_n(&state_[core], CoreState::starting, __ATOMIC_RELEASE);
      }
      auto started = P::start_core(core, static_cast<std::byte*>(stack.value()) + core_stack_bytes, &core_main);
      if (!started) {
        {
          [[maybe_unused]] guard critical;
          detail::smp.live &= ~(std::uint32_t{1} << core);
          __atomic_store_n(&state_[core], CoreState::idle, __ATOMIC_RELEASE);
        }
        [[maybe_unused]] detail::HeapGuard<K> heap;
        (void)K::alloc().deallocate(stack.value());
        return started;
      }
      return {};
    }

    // Waits until core `core`'s entry has returned; its status. The calling core must be able
    // to block (on a sched::None core it spins).
    Result<int> join_core(unsigned core) {
      if (core == 0 || core >= cores) return fail(Error::invalid_argument);
      for (;;) {
        {
          [[maybe_unused]] guard critical;
          const CoreState s = __atomic_load_n(&state_[core], __ATOMIC_ACQUIRE);
          if (s == CoreState::idle) return fail(Error::invalid_argument);  // never started
          if (s == CoreState::finished) return status_[core];
          if (blocks_here()) {
            wait(finished_);
            continue;
          }
        }
        asm volatile("yield" ::: "memory");
      }
    }

    Result<api::ThreadId> spawn(api::ThreadEntry entry, void* argument, api::SpawnOptions options = {}) {
      const unsigned core = options.core < 0 ? P::core_id() : static_cast<unsigned>(options.core);
      if (core >= cores) return fail(Error::invalid_argument);
      Result<api::ThreadId> id = fail(Error::not_supported);  // onto a sched::None core
      [[maybe_unused]] guard critical;
      // Onto a core not started, or whose entry has returned: the thread would never run.
      if (core != 0 && __atomic_load_n(&state_[core], __ATOMIC_ACQUIRE) != CoreState::starting &&
          __atomic_load_n(&state_[core], __ATOMIC_ACQUIRE) != CoreState::running)
        return fail(Error::invalid_argument);
      on_core(core, [&](auto& s) {
        if constexpr (blocking<decltype(s)>) id = s.spawn(entry, argument, options);
      });
      if (!id) return id;
      detail::smp_made_ready<P>(std::uint32_t{1} << core);
      return id.value() | api::ThreadId{core} << detail::core_shift;
    }

    void yield() {
      here([](auto& s) { s.yield(); });
    }
    void sleep_until(std::uint64_t deadline) {
      here([&](auto& s) {
        if constexpr (blocking<decltype(s)>) s.sleep_until(deadline);
        else cannot_block("sleep");
      });
    }
    void sleep_for(std::uint64_t ns) {
      here([&](auto& s) {
        if constexpr (blocking<decltype(s)>) s.sleep_for(ns);
        else cannot_block("sleep");
      });
    }
    api::ThreadId current() const {
      api::ThreadId id = 0;
      const unsigned core = P::core_id();
      const_cast<bind*>(this)->on_core(core, [&](auto& s) { id = s.current(); });
      return id | api::ThreadId{core} << detail::core_shift;
    }
    // Whether an interrupt handler runs on the calling core (sync:: types must not block then).
    static bool in_interrupt() {
      bool in = false;
      K::sched().here([&](auto& s) {
        if constexpr (requires { s.in_interrupt(); }) in = s.in_interrupt();
      });
      return in;
    }
    const char* current_name() const {
      const char* name = "(first thread)";
      const_cast<bind*>(this)->here([&](auto& s) {
        if constexpr (requires { s.current_name(); }) name = s.current_name();
      });
      return name;
    }
    // Threads of the calling core only (another core's: not_supported; wait on a sync::Event).
    Result<void> join(api::ThreadId id) {
      if ((id & detail::core_bits) >> detail::core_shift != P::core_id()) return fail(Error::not_supported);
      Result<void> result = fail(Error::not_supported);
      here([&](auto& s) {
        if constexpr (blocking<decltype(s)>) result = s.join(id & ~detail::core_bits);
        else cannot_block("join");
      });
      return result;
    }
    [[noreturn]] void exit() {
      here([](auto& s) {
        if constexpr (blocking<decltype(s)>) s.exit();
      });
      P::exit(0);  // a sched::None core's entry: as returning from the application
    }
    void wait(wait_queue& q) {
      here([&](auto& s) {
        if constexpr (blocking<decltype(s)>) s.wait(q);
        else cannot_block("wait");
      });
    }
    Result<void> wait_until(wait_queue& q, std::uint64_t deadline) {
      Result<void> result = fail(Error::not_supported);
      here([&](auto& s) {
        if constexpr (blocking<decltype(s)>) result = s.wait_until(q, deadline);
        else cannot_block("wait");
      });
      return result;
    }
    // From any core: each woken thread goes to its own core, which is signalled.
    std::size_t wake_one(wait_queue& q) { return wake(q, 1); }
    std::size_t wake_all(wait_queue& q) { return wake(q, ~std::size_t{0}); }

   private:
    enum class CoreState : unsigned char { idle, starting, running, finished };

    template <class S>
    static constexpr bool blocking = std::remove_cvref_t<S>::can_block;

    std::size_t wake(wait_queue& q, std::size_t most) {
      [[maybe_unused]] guard critical;
      std::uint32_t cores = 0;
      const std::size_t woken = detail::Core::wake(q, most, &cores);
      detail::smp_made_ready<P>(cores);
      return woken;
    }

    template <std::size_t... I>
    Result<void> init_each(std::index_sequence<I...>) {
      Result<void> result;
      ((result.ok() ? void(result = std::get<I>(schedulers_).init()) : void()), ...);
      return result;
    }

    // Calls f(core's scheduler).
    template <unsigned I = 0, class F>
    void on_core(unsigned core, F&& f) {
      if constexpr (I + 1 < cores) {
        if (core != I) return on_core<I + 1>(core, f);
      }
      f(std::get<I>(schedulers_));
    }
    template <class F>
    void here(F&& f) {
      on_core(P::core_id(), f);
    }
    bool blocks_here() {
      bool can = false;
      here([&](auto& s) { can = blocking<decltype(s)>; });
      return can;
    }

    [[noreturn]] static void cannot_block(const char* what) {
      print("tessera: sched::PerCore: ");
      print(what);
      print(" on a core whose scheduler is sched::None: nothing else would run there; give that core a "
            "blocking scheduler (sched::Cooperative) or do not block on it\n");
      P::exit(exit_status_fault);
    }
    static void print(const char* text) { P::console::write(text, lib::length(text)); }

    // Makes this core's wfi end when another core signals it (its side of the interrupt
    // controller is per core).
    static void listen_for_wake_ups() {
      P::interrupt_controller::init();
      P::interrupt_controller::enable(P::wake_signal);
    }

    // What each started core runs (platform::start_core's entry).
    [[noreturn]] static void core_main(unsigned core) {
      auto& self = K::sched();
      listen_for_wake_ups();
      __atomic_store_n(&self.state_[core], CoreState::running, __ATOMIC_RELEASE);
      int status = 0;
      self.template run_on<0>(core, status);
      {
        // One section: between leaving `live` and waking the joiners, another core going idle
        // would see every live core stalled (the joiner waits) and report "all blocked".
        [[maybe_unused]] guard critical;
        detail::smp.live &= ~(std::uint32_t{1} << core);
        self.status_[core] = status;
        __atomic_store_n(&self.state_[core], CoreState::finished, __ATOMIC_RELEASE);
        self.wake_all(self.finished_);
      }
      for (;;) P::idle_until(~std::uint64_t{0});  // done: this core sleeps
    }
    template <unsigned I>
    void run_on(unsigned core, int& status) {
      if constexpr (I < cores) {
        if (core == I) {
          status = std::get<I>(schedulers_).run(entries_[I]);
          return;
        }
        run_on<I + 1>(core, status);
      }
    }

    Tuple schedulers_;
    api::AppEntry entries_[cores] = {};
    int status_[cores] = {};
    CoreState state_[cores] = {};
    wait_queue finished_;
  };
};

}  // namespace tessera::sched
