#pragma once
// What the generated configfuzz cases check of each random Kernel<…> type, all in constant
// evaluation: the kernel is well formed (every slot models its concept), each slot was bound to
// the component the generator chose (component_names), and options reached the bound
// component unchanged (a scheduler's .max_threads, .stack_bytes; sched::PerCore's cores and the
// scheduler of each). A failed check is a static_assert naming the case and the seed.

#include <cstddef>

#include "tessera/kernel.hpp"

namespace tessera::configfuzz {

constexpr bool same(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Kernel K's five component names are the expected ones, in slot order.
template <class K>
constexpr bool names_are(const char* alloc, const char* sched, const char* net, const char* block,
                         const char* platform) {
  return same(K::component_names[0], alloc) && same(K::component_names[1], sched) &&
         same(K::component_names[2], net) && same(K::component_names[3], block) &&
         same(K::component_names[4], platform);
}

// A blocking scheduler's options as the bound component has them (0, 0 for sched::None).
template <class S>
constexpr bool thread_options_are(std::size_t max_threads, std::size_t stack_bytes) {
  if constexpr (requires { S::options.max_threads; })
    return S::options.max_threads == max_threads && S::options.stack_bytes == stack_bytes;
  else
    return max_threads == 0 && stack_bytes == 0;
}

// sched::PerCore: how many cores, and the scheduler name of core i.
template <class K>
constexpr bool core_is(unsigned core, const char* name) {
  if constexpr (requires { K::scheduler_type::core_scheduler_name(0u); })
    return K::cores > core && same(K::scheduler_type::core_scheduler_name(core), name);
  else
    return false;
}

// Passed<ok, case> exists only when ok: a failure names the case in the error message.
template <bool Ok, int Case>
struct Holds;
template <int Case>
struct Holds<true, Case> {};

}  // namespace tessera::configfuzz
