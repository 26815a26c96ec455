#pragma once
// A seeded sequence of scheduler operations run in constant evaluation on the schedulers' own
// queue machinery (sched::detail::Core: ready queue, wait queues, sleepers ordered by wake
// time, the dead list, slots and ids), against a reference model written here as plainly as
// possible. Every answer of the real code — which thread runs next, how many a wake woke,
// which sleepers a clock tick woke, whether a slot was free — must be the model's. A
// difference is a compile error naming the step (the generated configfuzz cases call it inside
// static_assert), and so is any undefined behaviour on the way.
//
// Operations: spawn (a random priority), yield, wait on one of two queues (with or without a
// deadline), wake one or all of a queue, sleep, exit; when nothing is ready, the clock jumps to
// the earliest sleeper; a sequence where everyone waits and nobody sleeps ends there (the
// schedulers report "all threads blocked" then).

#include <cstddef>
#include <cstdint>

#include "tessera/sched/detail/thread.hpp"

namespace tessera::configfuzz {

// 0: the sequence matched the model; otherwise 1000 * step + what differed.
template <std::size_t N>
constexpr int sched_model(std::uint64_t seed, int steps, bool by_priority) {
  using sched::WaitQueue;
  using sched::detail::Core;
  using sched::detail::State;
  using sched::detail::Thread;
  Thread threads[N] = {};
  Core core;
  core.reset(threads, N, by_priority);
  WaitQueue queues[2];

  // The model: plain arrays of slot numbers.
  int ready[N] = {}, waiting[2][N] = {}, sleepers[N] = {};
  std::size_t ready_count = 0, waiting_count[2] = {}, sleeper_count = 0;
  int priority[N] = {}, waits_on[N] = {};
  std::uint64_t wake_at[N] = {};
  bool used[N] = {};
  std::uint64_t now = 0;
  std::uint64_t state = seed | 1;
  auto next = [&] {  // xorshift64
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  // By comparison, not subtraction: g++ 12 cannot subtract, in constant evaluation, pointers
  // that came back from a list through a base class other than the first (the sleepers).
  auto index = [&](const Thread* t) {
    for (std::size_t i = 0; i < N; ++i)
      if (t == &threads[i]) return static_cast<int>(i);
    return -1;
  };
  auto remove_at = [](int* list, std::size_t& count, std::size_t at) {
    for (std::size_t i = at; i + 1 < count; ++i) list[i] = list[i + 1];
    --count;
  };
  auto remove_value = [&](int* list, std::size_t& count, int value) {
    for (std::size_t i = 0; i < count; ++i)
      if (list[i] == value) return remove_at(list, count, i), true;
    return false;
  };
  auto model_ready = [&](int slot) {  // behind every ready thread of the same or higher priority
    std::size_t at = ready_count;
    if (by_priority) {
      at = 0;
      while (at < ready_count && priority[ready[at]] >= priority[slot]) ++at;
    }
    for (std::size_t i = ready_count; i > at; --i) ready[i] = ready[i - 1];
    ready[at] = slot;
    ++ready_count;
  };
  auto model_sleep = [&](int slot, std::uint64_t deadline) {  // by wake time, FIFO among equals
    std::size_t at = sleeper_count;
    while (at > 0 && wake_at[sleepers[at - 1]] > deadline) --at;
    for (std::size_t i = sleeper_count; i > at; --i) sleepers[i] = sleepers[i - 1];
    sleepers[at] = slot;
    wake_at[slot] = deadline;
    ++sleeper_count;
  };

  Thread* first = core.claim();
  if (!first) return 1;
  core.adopt_boot_thread(first);
  used[index(first)] = true;
  int running = index(first);
  waits_on[running] = -1;

  // The running thread has been put somewhere: run the next one, as reschedule() does (due
  // sleepers first, then the first ready thread; with none, the clock jumps to the earliest
  // wake time).
  auto run_next = [&](int step) -> int {
    for (;;) {
      if (sleeper_count > 0) {
        if (core.nobody_sleeps() || core.next_wake() != wake_at[sleepers[0]]) return 1000 * step + 11;
        core.wake_sleepers(now);
        while (sleeper_count > 0 && wake_at[sleepers[0]] <= now) {
          const int slot = sleepers[0];
          remove_at(sleepers, sleeper_count, 0);
          if (waits_on[slot] >= 0) {
            if (!remove_value(waiting[waits_on[slot]], waiting_count[waits_on[slot]], slot)) return 1000 * step + 12;
            if (!threads[slot].timed_out) return 1000 * step + 13;
            waits_on[slot] = -1;
          }
          model_ready(slot);
        }
      }
      if (ready_count > 0) {
        const int expected = ready[0];
        remove_at(ready, ready_count, 0);
        Thread* t = core.next_ready();
        if (index(t) != expected) return 1000 * step + 10;
        if (t != core.current()) core.switch_to(t);
        else t->state = State::running;
        running = expected;
        return 0;
      }
      if (sleeper_count == 0) return -1;  // all blocked: the sequence ends
      now = wake_at[sleepers[0]];
    }
  };

  for (int step = 1; step <= steps; ++step) {
    const std::uint64_t op = next() % 100;
    int result = 0;
    if (op < 20) {  // spawn
      Thread* t = core.claim();
      std::size_t free = 0;
      for (bool u : used) free += !u;
      if ((t == nullptr) != (free == 0)) return 1000 * step + 1;
      if (t) {
        const int slot = index(t);
        if (used[slot]) return 1000 * step + 2;
        used[slot] = true;
        priority[slot] = t->priority = static_cast<int>(next() % 3);
        waits_on[slot] = -1;
        core.make_ready(t);
        if (core.find(core.id_of(t)) != t) return 1000 * step + 3;
        model_ready(slot);
      }
    } else if (op < 40) {  // yield
      core.current_yields();
      model_ready(running);
      result = run_next(step);
    } else if (op < 55) {  // wait, maybe with a deadline
      const int q = static_cast<int>(next() % 2);
      if (next() % 2) {
        const std::uint64_t deadline = now + 1 + next() % 50;
        core.current_waits_until(queues[q], deadline);
        model_sleep(running, deadline);
      } else {
        core.current_waits(queues[q]);
      }
      waiting[q][waiting_count[q]++] = running;
      waits_on[running] = q;
      result = run_next(step);
    } else if (op < 70) {  // wake one or all
      const int q = static_cast<int>(next() % 2);
      const std::size_t most = next() % 2 ? 1 : ~std::size_t{0};
      std::size_t expected = 0;
      while (expected < most && waiting_count[q] > 0) {
        const int slot = waiting[q][0];
        remove_at(waiting[q], waiting_count[q], 0);
        remove_value(sleepers, sleeper_count, slot);
        waits_on[slot] = -1;
        model_ready(slot);
        ++expected;
      }
      if (Core::wake(queues[q], most) != expected) return 1000 * step + 4;
    } else if (op < 85) {  // sleep
      const std::uint64_t deadline = now + next() % 40;
      core.current_sleeps_until(deadline);
      model_sleep(running, deadline);
      result = run_next(step);
    } else if (running != index(first)) {  // exit (the first thread's exit ends everything)
      const int slot = running;
      core.current_dies();
      result = run_next(step);
      if (result == 0) {
        Thread* dead = core.next_dead();
        if (index(dead) != slot || core.someone_died()) return 1000 * step + 5;
        dead->state = State::free;  // detached: the slot is free again
        used[slot] = false;
      }
    }
    if (result < 0) return 0;  // everyone waits, nobody sleeps: the real schedulers stop here too
    if (result > 0) return result;
    // Whatever ran, the real code agrees on who runs and on each thread's state.
    if (index(core.current()) != running || core.current()->state != State::running) return 1000 * step + 6;
    for (std::size_t i = 0; i < ready_count; ++i)
      if (threads[ready[i]].state != State::ready) return 1000 * step + 7;
    for (int q = 0; q < 2; ++q)
      for (std::size_t i = 0; i < waiting_count[q]; ++i)
        if (threads[waiting[q][i]].state != State::waiting || threads[waiting[q][i]].waiting_on != &queues[q])
          return 1000 * step + 8;
    if (core.nothing_ready() != (ready_count == 0) || core.nobody_sleeps() != (sleeper_count == 0))
      return 1000 * step + 9;
  }
  return 0;
}

// Holds only when the model run matched (its result is in the template argument otherwise).
template <int Result, int Case>
struct ModelPassed {
  static_assert(Result == 0, "configfuzz: the scheduler model run differed (1000 * step + what, in the argument)");
};

}  // namespace tessera::configfuzz
