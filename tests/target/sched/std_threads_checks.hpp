// std:: threads on tessera's threads, the checks shared by std_threads_cooperative_test.cpp
// and std_threads_preemptive_test.cpp (each names its kernel `App` and includes this file).
// Every check asserts on results the threads produce: counts under a mutex, the order a
// condition variable or sleeps impose, ids, values an atomic wait hands over. Only the first
// thread prints (picolibc's stdio is not serialised between preemptible threads).

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <latch>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "../check.hpp"

namespace {

using namespace std::chrono_literals;

// Threads take a std::mutex and yield (and, preemptive, may be interrupted) inside it: the
// count comes out exact and never two threads are inside at once.
void mutex_mutual_exclusion() {
  static std::mutex m;
  static int counter = 0, inside = 0, most_inside = 0;
  counter = inside = most_inside = 0;
  auto work = [] {
    for (int i = 0; i < 300; ++i) {
      std::lock_guard<std::mutex> hold(m);
      ++inside;
      if (inside > most_inside) most_inside = inside;
      const int seen = counter;
      if (i % 3 == 0) std::this_thread::yield();  // another thread runs while this one holds m
      for (int k = 0; k < 200; ++k) asm volatile("");
      counter = seen + 1;
      --inside;
    }
  };
  std::thread a(work), b(work), c(work);
  a.join();
  b.join();
  c.join();
  CHECK(counter == 900);
  CHECK(most_inside == 1);
  CHECK(!a.joinable() && !b.joinable() && !c.joinable());
}

// A producer and a consumer hand 200 numbers over a bounded queue with two condition
// variables: all arrive, in order, and the queue never overflows.
void condition_variable_producer_consumer() {
  static std::mutex m;
  static std::condition_variable not_empty, not_full;
  static int queue[4], head = 0, size = 0, most = 0;
  static long sum = 0;
  static bool in_order = true;
  head = size = most = 0;
  sum = 0;
  in_order = true;
  std::thread consumer([] {
    for (int expected = 1; expected <= 200; ++expected) {
      std::unique_lock<std::mutex> lock(m);
      not_empty.wait(lock, [] { return size > 0; });
      const int v = queue[head];
      head = (head + 1) % 4;
      --size;
      if (v != expected) in_order = false;
      sum += v;
      not_full.notify_one();
    }
  });
  std::thread producer([] {
    for (int v = 1; v <= 200; ++v) {
      std::unique_lock<std::mutex> lock(m);
      not_full.wait(lock, [] { return size < 4; });
      queue[(head + size) % 4] = v;
      ++size;
      if (size > most) most = size;
      not_empty.notify_one();
    }
  });
  producer.join();
  consumer.join();
  CHECK(sum == 200 * 201 / 2);
  CHECK(in_order);
  CHECK(most <= 4);
}

// notify_all wakes every waiter; wait_for without a notify times out after its time.
void condition_variable_notify_all_and_timeout() {
  static std::mutex m;
  static std::condition_variable go;
  static bool ready = false;
  static int woke = 0;
  ready = false;
  woke = 0;
  auto waiter = [] {
    std::unique_lock<std::mutex> lock(m);
    go.wait(lock, [] { return ready; });
    ++woke;
  };
  std::thread t1(waiter), t2(waiter), t3(waiter);
  std::this_thread::sleep_for(5ms);  // all three are waiting by now
  {
    std::lock_guard<std::mutex> lock(m);
    ready = true;
  }
  go.notify_all();
  t1.join();
  t2.join();
  t3.join();
  CHECK(woke == 3);

  std::unique_lock<std::mutex> lock(m);
  const auto t0 = std::chrono::steady_clock::now();
  const auto status = go.wait_for(lock, 20ms);
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(status == std::cv_status::timeout);
  CHECK(waited >= 20ms);
  CHECK(waited < 2s);
}

// Three threads sleep different times: they finish shortest first, and each slept at least
// as long as asked.
void sleep_for_order() {
  static char order[3];
  static std::atomic<int> next{0};
  static bool long_enough = true;
  next = 0;
  long_enough = true;
  auto sleeper = [](int ms, char letter) {
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(ms)) long_enough = false;
    order[next++] = letter;
  };
  std::thread a(sleeper, 30, 'a'), b(sleeper, 10, 'b'), c(sleeper, 20, 'c');
  a.join();
  b.join();
  c.join();
  CHECK(next == 3 && order[0] == 'b' && order[1] == 'c' && order[2] == 'a');
  CHECK(long_enough);
}

// get_id: a thread's own id is its std::thread's, distinct from the first thread's and from
// another live thread's.
void thread_ids() {
  static std::thread::id seen[2];
  std::thread a([] { seen[0] = std::this_thread::get_id(); std::this_thread::sleep_for(2ms); });
  std::thread b([] { seen[1] = std::this_thread::get_id(); std::this_thread::sleep_for(2ms); });
  const auto ida = a.get_id(), idb = b.get_id();
  a.join();
  b.join();
  CHECK(seen[0] == ida);
  CHECK(seen[1] == idb);
  CHECK(ida != idb);
  CHECK(std::this_thread::get_id() != ida);
  CHECK(std::this_thread::get_id() != std::thread::id());
}

// A detached thread runs to its end on its own and hands a value over through an atomic
// wait/notify; its std::thread is no longer joinable.
void detach_and_atomic_wait() {
  static std::atomic<int> handed{0};
  handed = 0;
  std::thread t([] {
    std::this_thread::sleep_for(3ms);
    handed = 42;
    handed.notify_one();
  });
  t.detach();
  CHECK(!t.joinable());
  handed.wait(0);  // blocks until the detached thread stores 42
  CHECK(handed.load() == 42);
}

// notify_all wakes every thread waiting on one atomic; a waiter on another atomic stays.
void atomic_notify_all() {
  static std::atomic<int> gate{0}, other{0};
  static std::atomic<int> passed{0};
  gate = 0;
  other = 0;
  passed = 0;
  auto waiter = [] {
    gate.wait(0);
    ++passed;
  };
  std::thread t1(waiter), t2(waiter), t3(waiter);
  std::thread bystander([] {
    other.wait(0);
    passed += 100;
  });
  std::this_thread::sleep_for(5ms);
  CHECK(passed == 0);  // nobody passes before the store
  gate = 1;
  gate.notify_all();
  t1.join();
  t2.join();
  t3.join();
  CHECK(passed == 3);  // the bystander still waits
  other = 1;
  other.notify_one();
  bystander.join();
  CHECK(passed == 103);
}

// recursive_mutex: the holder may lock again; another thread waits until the last unlock.
void recursive_mutex() {
  static std::recursive_mutex m;
  static int stage = 0;
  stage = 0;
  m.lock();
  m.lock();
  std::thread t([] {
    std::lock_guard<std::recursive_mutex> hold(m);
    stage = stage * 10 + 2;
  });
  std::this_thread::sleep_for(2ms);
  stage = 1;
  m.unlock();
  std::this_thread::sleep_for(2ms);
  CHECK(stage == 1);  // still held once: t waits
  m.unlock();
  t.join();
  CHECK(stage == 12);
}

// The C++20 synchronisation headers, built on atomic wait: a semaphore hands out its units,
// a latch and a barrier gather four threads.
void semaphore_latch_barrier() {
  static std::counting_semaphore<4> units(0);
  static std::latch done(3);
  static std::barrier<> meet(3);
  static std::atomic<int> got{0}, phases{0};
  got = 0;
  phases = 0;
  auto worker = [] {
    units.acquire();
    ++got;
    meet.arrive_and_wait();
    ++phases;
    meet.arrive_and_wait();
    done.count_down();
  };
  std::thread a(worker), b(worker);
  std::this_thread::sleep_for(2ms);
  CHECK(got == 0);  // no unit yet
  units.release(2);
  std::this_thread::sleep_for(2ms);
  CHECK(got == 2);
  meet.arrive_and_wait();
  meet.arrive_and_wait();
  done.count_down();
  done.wait();
  CHECK(phases == 2);
  a.join();
  b.join();
}

// std::jthread asks its thread to stop and joins it when it goes; std::shared_mutex lets two
// readers in at once and keeps the writer out until both have left.
void jthread_and_shared_mutex() {
  static std::atomic<int> rounds{0};
  rounds = 0;
  {
    std::jthread worker([](std::stop_token stop) {
      while (!stop.stop_requested()) {
        ++rounds;
        std::this_thread::sleep_for(1ms);
      }
    });
    std::this_thread::sleep_for(5ms);
  }  // ~jthread: request_stop() and join()
  const int after = rounds.load();
  CHECK(after > 0);
  std::this_thread::sleep_for(3ms);
  CHECK(rounds.load() == after);  // stopped for good

  static std::shared_mutex m;
  static std::atomic<int> readers{0}, most_readers{0};
  static bool writer_saw_readers = false;
  readers = 0;
  most_readers = 0;
  writer_saw_readers = false;
  auto reader = [] {
    std::shared_lock<std::shared_mutex> hold(m);
    const int now = ++readers;
    if (now > most_readers) most_readers = now;
    std::this_thread::sleep_for(3ms);
    --readers;
  };
  std::thread r1(reader), r2(reader);
  std::this_thread::sleep_for(1ms);
  std::thread w([] {
    std::unique_lock<std::shared_mutex> hold(m);
    writer_saw_readers = readers != 0;
  });
  r1.join();
  r2.join();
  w.join();
  CHECK(most_readers == 2);
  CHECK(!writer_saw_readers);
}

int run_all(const char* scheduler) {
  std::printf("std:: threads on %s\n", scheduler);
  mutex_mutual_exclusion();
  condition_variable_producer_consumer();
  condition_variable_notify_all_and_timeout();
  sleep_for_order();
  thread_ids();
  detach_and_atomic_wait();
  atomic_notify_all();
  recursive_mutex();
  semaphore_latch_barrier();
  jthread_and_shared_mutex();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace
