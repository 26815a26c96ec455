#pragma once
// API: a platform — what one kind of machine provides to the kernel: a console, a clock,
// the free RAM, start-up and power-off. Platforms are static types (one machine per image).

#include <concepts>

#include "tessera/api/clock.hpp"
#include "tessera/api/console.hpp"
#include "tessera/memory_region.hpp"

namespace tessera::api {

template <class P>
concept Platform = requires(int status) {
  // Member types are checked in here, not as terms of a conjunction, so that a missing one
  // is a note under Kernel's static_assert instead of a second "error:" line (g++ 12).
  typename P::console;
  typename P::clock;
  requires Console<typename P::console>;
  requires Clock<typename P::clock>;
  { P::name } -> std::convertible_to<const char*>;
  { P::early_init() } -> std::same_as<void>;           // console, traps; before anything else
  { P::free_memory() } -> std::same_as<MemoryRegion>;  // RAM not used by the image
  { P::run_constructors() } -> std::same_as<void>;     // C++ global constructors
  { P::exit(status) } -> std::same_as<void>;           // [[noreturn]]: power off with a status
};

}  // namespace tessera::api
