// sync::Semaphore (include/tessera/sync/semaphore.hpp): units are neither lost nor made up
// between producers and consumers; release(n) wakes n waiters; acquire_until times out.

#include <tessera/sync/semaphore.hpp>

#include "../sched/threads.hpp"

namespace {

using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;

auto& sched() { return ThreadKernel::sched(); }

tessera::sync::Semaphore<ThreadKernel> items{0};
int taken = 0;

TEST_CASE("three consumers take exactly the units released") {
  taken = 0;
  CHECK(run_threads([] {
          auto consumer = [](void*) {
            for (int i = 0; i < 100; ++i) {
              items.acquire();
              ++taken;
            }
          };
          tessera::api::ThreadId ids[3];
          for (auto& id : ids) id = spawn(consumer);
          sched().yield();  // all three now wait
          CHECK(taken == 0);
          for (int i = 0; i < 150; ++i) items.release(2);
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(items.count() == 0);
          CHECK_FALSE(items.try_acquire());
          return 0;
        }) == 0);
  CHECK(taken == 300);
}

TEST_CASE("release(n) wakes n waiters; acquire_until times out when nothing comes") {
  taken = 0;
  CHECK(run_threads([] {
          auto once = [](void*) {
            items.acquire();
            ++taken;
          };
          tessera::api::ThreadId ids[3];
          for (auto& id : ids) id = spawn(once);
          sched().yield();
          items.release(2);
          sched().yield();
          CHECK(taken == 2);  // the third still waits
          items.release();
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(taken == 3);
          using Clock = tessera::platform::Hosted::clock;
          CHECK(items.acquire_until(Clock::now() + 1'000'000).error() == tessera::Error::timeout);
          items.release();
          CHECK(items.acquire_until(Clock::now() + 1'000'000).ok());
          return 0;
        }) == 0);
}

}  // namespace
