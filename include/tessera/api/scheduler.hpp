#pragma once
// API: threads. A Scheduler runs the application's entry and, where it can, more threads.
// `can_block` tells whether a thread may wait (needed by blocking sockets and I/O); a
// run-to-completion scheduler has none to switch to.

#include <concepts>
#include <cstdint>

#include "tessera/result.hpp"

namespace tessera::api {

using ThreadId = std::uint32_t;
using ThreadEntry = void (*)(void* argument);
using AppEntry = int (*)();

template <class S>
concept Scheduler = requires(S& s, const S& cs, ThreadEntry entry, void* argument, AppEntry app) {
  { S::name } -> std::convertible_to<const char*>;
  { S::can_block } -> std::convertible_to<bool>;
  { s.init() } -> std::same_as<Result<void>>;
  { s.run(app) } -> std::same_as<int>;                // runs the application; its exit status
  { s.spawn(entry, argument) } -> std::same_as<Result<ThreadId>>;
  { s.yield() } -> std::same_as<void>;
  { cs.current() } -> std::same_as<ThreadId>;
};

}  // namespace tessera::api
