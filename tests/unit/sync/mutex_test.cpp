// sync::Mutex (include/tessera/sync/mutex.hpp) on sched::Cooperative: mutual exclusion under
// contention (threads yield inside the critical section), try_lock, and the debug checks
// (locking twice from one thread, unlocking a mutex not held) that stop the kernel.

#include <tessera/sync/mutex.hpp>

#include "../sched/threads.hpp"

namespace {

using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;
using Mutex = tessera::sync::Mutex<ThreadKernel>;

auto& sched() { return ThreadKernel::sched(); }

Mutex mutex;  // constant-initialised: a global mutex costs no start-up code
int counter = 0, inside = 0, most_inside = 0;

TEST_CASE("four threads incrementing under one mutex, yielding inside it, lose no update") {
  counter = inside = most_inside = 0;
  CHECK(run_threads([] {
          auto worker = [](void*) {
            for (int i = 0; i < 1000; ++i) {
              mutex.lock();
              ++inside;
              most_inside = inside > most_inside ? inside : most_inside;
              const int seen = counter;
              sched().yield();  // everybody else runs and tries to take the mutex meanwhile
              counter = seen + 1;
              --inside;
              mutex.unlock();
              if (i % 3 == 0) sched().yield();
            }
          };
          tessera::api::ThreadId ids[4];
          for (auto& id : ids) id = spawn(worker);
          for (auto id : ids) CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
  CHECK(counter == 4000);
  CHECK(most_inside == 1);
  CHECK_FALSE(mutex.locked());
}

TEST_CASE("try_lock fails while another thread holds the mutex") {
  CHECK(run_threads([] {
          static bool other_got_it = true;
          mutex.lock();
          const auto id = spawn([](void*) { other_got_it = mutex.try_lock(); });
          CHECK(sched().join(id).ok());
          CHECK_FALSE(other_got_it);
          mutex.unlock();
          CHECK(mutex.try_lock());
          mutex.unlock();
          return 0;
        }) == 0);
}

TEST_CASE("debug: locking a mutex twice from one thread is reported and stops the kernel") {
  const auto child = tessera::test::in_child([] {
    static Mutex m;
    m.lock();
    m.lock();
    return 0;
  });
  CHECK(child.status == tessera::exit_status_fault);
  CHECK(child.output.find("mutex misuse: locking a mutex this thread already holds") != std::string::npos);
  CHECK(child.output.find("(thread main)") != std::string::npos);
}

TEST_CASE("debug: unlocking a mutex the thread does not hold is reported and stops the kernel") {
  const auto never_locked = tessera::test::in_child([] {
    static Mutex m;
    m.unlock();
    return 0;
  });
  CHECK(never_locked.status == tessera::exit_status_fault);
  CHECK(never_locked.output.find("mutex misuse: unlocking a mutex this thread does not hold") != std::string::npos);

  const auto held_by_other = tessera::test::in_child([] {
    static Mutex m;
    m.lock();
    spawn([](void*) { m.unlock(); }, nullptr, {.name = "intruder"});
    sched().yield();
    return 0;
  });
  CHECK(held_by_other.status == tessera::exit_status_fault);
  CHECK(held_by_other.output.find("(thread intruder)") != std::string::npos);
}

TEST_CASE("without .debug the checks cost nothing and are not made") {
  const auto child = tessera::test::in_child([] {
    static tessera::sync::Mutex<ThreadKernel, {.debug = false}> m;
    m.unlock();  // misuse, unchecked: no report
    return 5;
  });
  CHECK(child.status == 5);
  CHECK(child.output.find("misuse") == std::string::npos);
}

}  // namespace
