// sync::Event (include/tessera/sync/event.hpp): set() releases every waiter and later ones
// pass until clear(); wait_until times out.

#include <tessera/sync/event.hpp>

#include "../sched/threads.hpp"

namespace {

using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;

auto& sched() { return ThreadKernel::sched(); }

tessera::sync::Event<ThreadKernel> go;
int through = 0;

TEST_CASE("set wakes all waiters, later waiters pass, clear stops them again") {
  through = 0;
  go.clear();
  CHECK(run_threads([] {
          auto waiter = [](void*) {
            go.wait();
            ++through;
          };
          tessera::api::ThreadId ids[3];
          for (auto& id : ids) id = spawn(waiter);
          sched().yield();
          CHECK(through == 0);
          go.set();
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(through == 3);
          go.wait();  // set: passes without blocking
          go.clear();
          CHECK_FALSE(go.is_set());
          using Clock = tessera::platform::Hosted::clock;
          CHECK(go.wait_until(Clock::now() + 1'000'000).error() == tessera::Error::timeout);
          return 0;
        }) == 0);
}

}  // namespace
