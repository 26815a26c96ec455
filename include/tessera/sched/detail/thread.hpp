#pragma once
// The part of the blocking schedulers that does not depend on their options or kernel: the
// thread control block, wait queues, the ready queue and the sleepers ordered by wake time,
// and the switch between two threads. Non-template (one copy whatever max_threads and stack
// size are); sched::Cooperative adds what needs the kernel type (stacks from K::alloc(), the
// clock, idling, the "all threads blocked" report). Core is constexpr: in constant evaluation
// a switch only changes which thread is current, so tests/configfuzz runs seeded
// spawn/yield/wait/wake/sleep/exit sequences on this very code against a reference model.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "tessera/api/scheduler.hpp"
#include "tessera/arch/context.hpp"
#include "tessera/lib/intrusive_list.hpp"

namespace tessera::sched {

namespace detail {
struct QueueTag {};  // the ready queue, a wait queue or the dead list: one at a time
struct SleepTag {};  // the sleepers, ordered by wake time (also a timed wait)
struct Thread;
class Core;
}  // namespace detail

// What synchronisation and drivers block on: Scheduler::wait(q) parks the calling thread
// here until wake_one(q)/wake_all(q) (or its deadline). FIFO. constexpr-constructible: a
// global mutex costs no start-up code.
struct WaitQueue {
  lib::IntrusiveList<detail::Thread, detail::QueueTag> waiters;
  constexpr bool empty() const { return waiters.empty(); }
};

namespace detail {

// The lowest word of every spawned thread's stack holds its own address, checked whenever the
// thread switches away: a stack that grew past its end has overwritten it (a detection after
// the fact, where a guard page would fault at once; see sched::Cooperative). The address, not a
// constant: comparing with it needs no constant built in registers (4 instructions on aarch64).
inline void set_stack_canary(std::byte* stack) {
  *reinterpret_cast<std::uintptr_t*>(stack) = reinterpret_cast<std::uintptr_t>(stack);
}
inline bool stack_canary_intact(const std::byte* stack) {
  return *reinterpret_cast<const std::uintptr_t*>(stack) == reinterpret_cast<std::uintptr_t>(stack);
}

enum class State : std::uint8_t { free, ready, running, sleeping, waiting, dead, finished };

struct Thread : lib::ListNode<QueueTag>, lib::ListNode<SleepTag> {
  arch::Context context;
  std::byte* stack = nullptr;  // nullptr: the boot stack (the application's first thread)
  std::size_t stack_bytes = 0;
  const char* name = "";
  std::uint64_t wake_at = 0;       // clock ticks, while on the sleepers
  WaitQueue* waiting_on = nullptr;  // the wait queue holding it, while waiting
  WaitQueue joiners;
  Core* home = nullptr;  // the core whose ready queue it goes back to when woken
  int priority = 0;
  std::uint16_t generation = 0;  // of the slot: part of the id, so a stale id is recognised
  State state = State::free;
  bool detached = false;
  bool timed_out = false;
};

constexpr const char* state_name(State s) {
  switch (s) {
    case State::free: return "free";
    case State::ready: return "ready";
    case State::running: return "running";
    case State::sleeping: return "sleeping";
    case State::waiting: return "waiting";
    case State::dead: return "dead";
    case State::finished: return "finished";
  }
  return "?";
}

class Core {
 public:
  // On SMP kernels (sched::PerCore) the core this is; wake-ups of its threads from other
  // cores signal it.
  constexpr void set_index(unsigned index) { index_ = index; }
  constexpr unsigned index() const { return index_; }

  constexpr void reset(Thread* threads, std::size_t count, bool by_priority = false) {
    threads_ = threads;
    count_ = count;
    by_priority_ = by_priority;
    current_ = previous_ = nullptr;
    while (ready_.pop_front()) {}
    while (sleeping_.pop_front()) {}
    while (dead_.pop_front()) {}
    for (std::size_t i = 0; i < count; ++i) {
      const auto generation = threads[i].generation;
      std::construct_at(&threads[i]);  // lists are not assignable: rebuilt in place
      threads[i].generation = generation;  // ids from before a reset stay stale
      threads[i].home = this;
    }
  }

  // Ids: slot in the low 16 bits, the slot's generation (never 0) above. 0 is no thread.
  constexpr api::ThreadId id_of(const Thread* t) const {
    return t ? (api::ThreadId{t->generation} << 16) | static_cast<api::ThreadId>(t - threads_) : 0;
  }
  constexpr Thread* find(api::ThreadId id) const {
    const std::size_t slot = id & 0xffff;
    if (slot >= count_) return nullptr;
    Thread* t = &threads_[slot];
    return t->generation == (id >> 16) && t->state != State::free ? t : nullptr;
  }
  // A free slot, its generation advanced, or nullptr when all max_threads are in use.
  constexpr Thread* claim() {
    for (std::size_t i = 0; i < count_; ++i) {
      Thread& t = threads_[i];
      if (t.state != State::free) continue;
      const std::uint16_t generation = static_cast<std::uint16_t>(t.generation + 1 ? t.generation + 1 : 1);
      std::construct_at(&t);
      t.generation = generation;
      t.home = this;
      return &t;
    }
    return nullptr;
  }

  constexpr Thread* current() const { return current_; }
  constexpr Thread* previous() const { return previous_; }
  constexpr bool nothing_ready() const { return ready_.empty(); }
  constexpr bool nobody_sleeps() const { return sleeping_.empty(); }
  constexpr bool someone_died() const { return !dead_.empty(); }
  constexpr std::uint64_t next_wake() const { return sleeping_.front()->wake_at; }
  constexpr std::size_t count() const { return count_; }
  constexpr Thread& slot(std::size_t i) const { return threads_[i]; }

  // The first thread (the application's entry, on the boot stack) starts running.
  constexpr void adopt_boot_thread(Thread* t) {
    t->state = State::running;
    current_ = t;
  }

  // First come, first served; with priorities, behind every ready thread of the same or a
  // higher priority.
  [[gnu::always_inline]] constexpr void make_ready(Thread* t) {
    t->state = State::ready;
    if (!by_priority_) {
      ready_.push_back(t);
      return;
    }
    Thread* before = ready_.front();
    while (before && before->priority >= t->priority) before = lib::IntrusiveList<Thread, QueueTag>::next(before);
    ready_.insert_before(before, t);
  }
  constexpr int first_ready_priority() const { return ready_.front()->priority; }
  // The running thread's next state; the caller then picks the next thread (reschedule).
  [[gnu::always_inline]] constexpr void current_yields() { make_ready(current_); }
  constexpr void current_sleeps_until(std::uint64_t deadline) {
    current_->state = State::sleeping;
    add_sleeper(current_, deadline);
  }
  constexpr void current_waits(WaitQueue& q) {
    current_->state = State::waiting;
    current_->waiting_on = &q;
    current_->timed_out = false;
    q.waiters.push_back(current_);
  }
  constexpr void current_waits_until(WaitQueue& q, std::uint64_t deadline) {
    current_waits(q);
    add_sleeper(current_, deadline);
  }
  constexpr void current_dies() {
    current_->state = State::dead;
    dead_.push_back(current_);
  }

  // Wakes up to `most` waiters of q, oldest first, each onto its own core's ready queue;
  // returns how many. With `cores`, adds a bit per core index woken (SMP: they are signalled).
  static constexpr std::size_t wake(WaitQueue& q, std::size_t most, std::uint32_t* cores = nullptr) {
    std::size_t woken = 0;
    for (; woken < most; ++woken) {
      Thread* t = q.waiters.pop_front();
      if (!t) break;
      t->waiting_on = nullptr;
      Core& home = *t->home;
      if (home.sleeping_.contains(t)) home.sleeping_.remove(t);
      home.make_ready(t);
      if (cores) *cores |= std::uint32_t{1} << home.index_;
    }
    return woken;
  }
  // Sleepers whose time has come (and timed waits that expired) become ready.
  constexpr void wake_sleepers(std::uint64_t now) {
    while (Thread* t = sleeping_.front()) {
      if (t->wake_at > now) break;
      sleeping_.remove(t);
      if (t->waiting_on) {
        t->waiting_on->waiters.remove(t);
        t->waiting_on = nullptr;
        t->timed_out = true;
      }
      make_ready(t);
    }
  }

  [[gnu::always_inline]] constexpr Thread* next_ready() { return ready_.pop_front(); }
  constexpr Thread* next_dead() { return dead_.pop_front(); }

  // Runs `next` (which is not the running thread); returns when the caller runs again.
  [[gnu::always_inline]] constexpr void switch_to(Thread* next) {
    Thread* prev = current_;
    previous_ = prev;
    current_ = next;
    next->state = State::running;
    if (std::is_constant_evaluated()) return;  // a model run (tests/configfuzz): no stacks to switch
    arch::switch_to(prev->context, next->context, prev->state == State::dead);
    arch::arrived(current_->context, &previous_->context, false);
  }
  // First thing a new thread does (from its begin hook).
  void arrived_new() { arch::arrived(current_->context, &previous_->context, true); }

 private:
  constexpr void add_sleeper(Thread* t, std::uint64_t deadline) {
    t->wake_at = deadline;
    // Ordered by wake time, FIFO among equals: walk from the back, where later deadlines are.
    Thread* after = sleeping_.back();
    while (after && after->wake_at > deadline) after = lib::IntrusiveList<Thread, SleepTag>::prev(after);
    sleeping_.insert_before(after ? lib::IntrusiveList<Thread, SleepTag>::next(after) : sleeping_.front(), t);
  }

  Thread* threads_ = nullptr;
  std::size_t count_ = 0;
  unsigned index_ = 0;
  bool by_priority_ = false;
  Thread* current_ = nullptr;
  Thread* previous_ = nullptr;
  lib::IntrusiveList<Thread, QueueTag> ready_;
  lib::IntrusiveList<Thread, SleepTag> sleeping_;
  lib::IntrusiveList<Thread, QueueTag> dead_;
};

}  // namespace detail
}  // namespace tessera::sched
