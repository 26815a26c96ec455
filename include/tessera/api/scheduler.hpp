#pragma once
// API: threads. A Scheduler runs the application's entry as its first thread and, if it can
// block (`can_block`), more threads, which sleep on the platform clock and wait on
// `wait_queue`s (what synchronisation and drivers block on). With one that cannot
// (sched::None), spawning or blocking is a compile error that says what to pick instead.
// Times: sleep_until and wait_until take a deadline in ticks of the platform clock
// (K::platform::clock::now()); sleep_for takes nanoseconds. Thread ids are never reused
// while a thread can still be joined.

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "tessera/result.hpp"

namespace tessera::api {

using ThreadId = std::uint32_t;
using ThreadEntry = void (*)(void* argument);
using AppEntry = int (*)();

struct SpawnOptions {
  std::size_t stack_bytes = 0;    // 0: the scheduler's default
  const char* name = "thread";    // fault reports and diagnostics name the thread
  int priority = 0;               // higher runs first where the scheduler has priorities
  bool detached = false;          // nobody joins it: its slot is free again when it ends
  int core = -1;                  // sched::PerCore: the core it runs on (-1: the calling core)
};

template <class S>
concept Scheduler = requires(S& s, const S& cs, ThreadEntry entry, void* argument, AppEntry app,
                             SpawnOptions options, ThreadId id, std::uint64_t t) {
  typename S::wait_queue;  // in here, not in the parameter list: a missing one is a note, not an error
  { S::name } -> std::convertible_to<const char*>;
  { S::can_block } -> std::convertible_to<bool>;
  { s.init() } -> std::same_as<Result<void>>;
  { s.run(app) } -> std::same_as<int>;  // runs the application as the first thread; its status
  { s.spawn(entry, argument, options) } -> std::same_as<Result<ThreadId>>;
  { s.yield() } -> std::same_as<void>;
  { s.sleep_for(t) } -> std::same_as<void>;    // t in nanoseconds
  { s.sleep_until(t) } -> std::same_as<void>;  // t in platform clock ticks
  { cs.current() } -> std::same_as<ThreadId>;
  { s.join(id) } -> std::same_as<Result<void>>;  // invalid_argument: unknown, detached or itself
  { s.exit() } -> std::same_as<void>;            // [[noreturn]]: ends the calling thread
  // Blocking: wait until woken (or until deadline t: Error::timeout); wake returns how many.
  requires requires(typename S::wait_queue& q) {
    { s.wait(q) } -> std::same_as<void>;
    { s.wait_until(q, t) } -> std::same_as<Result<void>>;
    { s.wake_one(q) } -> std::same_as<std::size_t>;
    { s.wake_all(q) } -> std::same_as<std::size_t>;
  };
};

}  // namespace tessera::api
