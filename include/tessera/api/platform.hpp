#pragma once
// API: a platform — what one kind of machine provides to the kernel: a console, a clock,
// the free RAM, start-up and power-off. Platforms are static types (one machine per image).

#include <concepts>

#include "tessera/api/clock.hpp"
#include "tessera/api/console.hpp"
#include "tessera/memory_region.hpp"

namespace tessera::api {

template <class P>
concept Platform = Console<typename P::console> && Clock<typename P::clock> &&
                   requires(int status) {
  { P::name } -> std::convertible_to<const char*>;
  { P::early_init() } -> std::same_as<void>;           // console, traps; before anything else
  { P::free_memory() } -> std::same_as<MemoryRegion>;  // RAM not used by the image
  { P::run_constructors() } -> std::same_as<void>;     // C++ global constructors
  { P::exit(status) } -> std::same_as<void>;           // [[noreturn]]: power off with a status
};

}  // namespace tessera::api
