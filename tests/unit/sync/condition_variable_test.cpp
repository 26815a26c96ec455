// sync::ConditionVariable (include/tessera/sync/condition_variable.hpp) with sync::Mutex:
// a bounded-buffer producer/consumer (two producers, two consumers, every item delivered
// exactly once and in order per producer), notify_all, and a timed wait.

#include <tessera/sync/condition_variable.hpp>
#include <tessera/sync/mutex.hpp>

#include "../sched/threads.hpp"

namespace {

using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;

auto& sched() { return ThreadKernel::sched(); }

tessera::sync::Mutex<ThreadKernel> mutex;
tessera::sync::ConditionVariable<ThreadKernel> not_full, not_empty;

constexpr int capacity = 4, per_producer = 500;
int buffer[capacity];
int head = 0, count = 0, producers_left = 0;
long sum = 0;
int received = 0, out_of_order = 0;
int last_seen[2] = {-1, -1};

void produce(void* which) {
  const int p = static_cast<int>(reinterpret_cast<std::intptr_t>(which));
  for (int i = 0; i < per_producer; ++i) {
    mutex.lock();
    not_full.wait(mutex, [] { return count < capacity; });
    buffer[(head + count++) % capacity] = p * 100000 + i;
    not_empty.notify_one();
    mutex.unlock();
  }
  mutex.lock();
  --producers_left;
  not_empty.notify_all();  // consumers waiting for an item that will not come
  mutex.unlock();
}

void consume(void*) {
  for (;;) {
    mutex.lock();
    not_empty.wait(mutex, [] { return count > 0 || producers_left == 0; });
    if (count == 0) {
      mutex.unlock();
      return;
    }
    const int item = buffer[head];
    head = (head + 1) % capacity;
    --count;
    not_full.notify_one();
    mutex.unlock();
    const int p = item / 100000, i = item % 100000;
    if (i <= last_seen[p]) ++out_of_order;
    last_seen[p] = i;
    sum += item;
    ++received;
    if (i % 7 == 0) sched().yield();
  }
}

TEST_CASE("producer/consumer over a bounded buffer delivers every item once, in order") {
  producers_left = 2;
  CHECK(run_threads([] {
          tessera::api::ThreadId ids[4] = {spawn(consume), spawn(consume),
                                           spawn(produce, reinterpret_cast<void*>(std::intptr_t{0})),
                                           spawn(produce, reinterpret_cast<void*>(std::intptr_t{1}))};
          for (auto id : ids) CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
  long expected = 0;
  for (int p = 0; p < 2; ++p)
    for (int i = 0; i < per_producer; ++i) expected += p * 100000 + i;
  CHECK(received == 2 * per_producer);
  CHECK(sum == expected);
  CHECK(out_of_order == 0);  // one queue, FIFO: each producer's items arrive in order
  CHECK(count == 0);
}

TEST_CASE("wait_until times out with the mutex held again") {
  CHECK(run_threads([] {
          using Clock = tessera::platform::Hosted::clock;
          mutex.lock();
          CHECK(not_empty.wait_until(mutex, Clock::now() + 2'000'000).error() == tessera::Error::timeout);
          CHECK(mutex.locked());
          mutex.unlock();
          return 0;
        }) == 0);
}

}  // namespace
