#pragma once
// sched::None — run to completion: the application's entry runs on the boot stack and no
// other thread exists. spawn() reports Error::not_supported; nothing can block.
// Cost: zero bytes of state, every call inlines to nothing.

#include "tessera/api/scheduler.hpp"

namespace tessera::sched {

struct None {
  static constexpr const char* name = "sched::None";
  static constexpr bool can_block = false;

  constexpr Result<void> init() { return {}; }
  int run(api::AppEntry app) { return app(); }
  constexpr Result<api::ThreadId> spawn(api::ThreadEntry, void*) { return fail(Error::not_supported); }
  constexpr void yield() {}
  constexpr api::ThreadId current() const { return 0; }
};

static_assert(api::Scheduler<None>);

}  // namespace tessera::sched
