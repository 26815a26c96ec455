// The locks under std:: threads on bare metal (include/tessera/detail/std_threads.hpp) and
// their kernel binding (detail/std_thread_binding.hpp), on the hosted platform with
// sched::Cooperative. On bare metal the cxx-shim's gthr-default.h makes std::mutex,
// std::condition_variable, std::recursive_mutex and std::call_once these; here (glibc's
// libstdc++) they are called directly, through the same futex entry points TESSERA_MAIN
// defines for an image, bound to the test kernel below.

#include <errno.h>

#include <cstdio>

#include <tessera/detail/std_thread_binding.hpp>
#include <tessera/detail/std_threads.hpp>

#include "../sched/threads.hpp"

TESSERA_DETAIL_STD_THREAD_ENTRY_POINTS(tessera::test::ThreadKernel)

// On bare metal src/libc/std_threads.cpp reports and stops the image; here the same line and
// the same exit status, from the child process the misuse tests run in.
extern "C" [[noreturn]] void tessera_std_misuse(const char* what) {
  std::printf("tessera: %s (thread %s)\n", what, tessera_thread_name());
  std::fflush(stdout);
  tessera::test::ThreadKernel::platform::exit(tessera::exit_status_fault);
}

namespace {

namespace st = tessera::detail::stdthreads;
using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;

auto& sched() { return ThreadKernel::sched(); }

st::Mutex mutex = {0, 0};
int counter = 0, inside = 0, most_inside = 0;

TEST_CASE("std::mutex's lock: four threads yielding inside it lose no update, and the waits go through the futex") {
  counter = inside = most_inside = 0;
  CHECK(run_threads([] {
          auto worker = [](void*) {
            for (int i = 0; i < 500; ++i) {
              st::mutex_lock(&mutex);
              ++inside;
              most_inside = inside > most_inside ? inside : most_inside;
              const int seen = counter;
              sched().yield();  // the others run and find the mutex held: they wait on the futex
              counter = seen + 1;
              --inside;
              st::mutex_unlock(&mutex);
            }
          };
          tessera::api::ThreadId ids[4];
          for (auto& id : ids) id = spawn(worker);
          for (auto id : ids) CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
  CHECK(counter == 2000);
  CHECK(most_inside == 1);
  CHECK(mutex.word == 0);  // free again, with nobody marked as waiting
}

TEST_CASE("try_lock fails while another thread holds the mutex; a timed lock times out") {
  CHECK(run_threads([] {
          static st::Mutex m = {0, 0};
          static bool tried = true;
          static int timed = 0;
          st::mutex_lock(&m);
          spawn([](void*) {
            tried = st::mutex_try_lock(&m);
            timed = st::mutex_lock_until(&m, tessera_clock_ns(0) + 2'000'000);
          });
          sched().sleep_for(10'000'000);
          CHECK_FALSE(tried);
          CHECK(timed == ETIMEDOUT);
          st::mutex_unlock(&m);
          CHECK(st::mutex_try_lock(&m));
          st::mutex_unlock(&m);
          return 0;
        }) == 0);
}

st::Cond not_empty = {0}, not_full = {0};
int queue[3], head = 0, size = 0, received[100], received_count = 0;

TEST_CASE("condition variable: a producer and a consumer hand over 100 values in order through a queue of 3") {
  head = size = received_count = 0;
  CHECK(run_threads([] {
          tessera::api::ThreadId consumer = spawn([](void*) {
            for (int n = 0; n < 100; ++n) {
              st::mutex_lock(&mutex);
              while (size == 0) st::cond_wait(&not_empty, &mutex);
              received[received_count++] = queue[head];
              head = (head + 1) % 3;
              --size;
              st::cond_notify(&not_full, 1);
              st::mutex_unlock(&mutex);
            }
          });
          tessera::api::ThreadId producer = spawn([](void*) {
            for (int v = 0; v < 100; ++v) {
              st::mutex_lock(&mutex);
              while (size == 3) st::cond_wait(&not_full, &mutex);
              queue[(head + size) % 3] = v;
              ++size;
              st::cond_notify(&not_empty, 1);
              st::mutex_unlock(&mutex);
            }
          });
          CHECK(sched().join(producer).ok());
          CHECK(sched().join(consumer).ok());
          return 0;
        }) == 0);
  REQUIRE(received_count == 100);
  for (int i = 0; i < 100; ++i) CHECK(received[i] == i);
}

TEST_CASE("condition variable: notify_all wakes every waiter; a timed wait without a notify times out") {
  CHECK(run_threads([] {
          static st::Cond go = {0};
          static bool ready = false;
          static int woke = 0;
          ready = false;
          woke = 0;
          auto waiter = [](void*) {
            st::mutex_lock(&mutex);
            while (!ready) st::cond_wait(&go, &mutex);
            ++woke;
            st::mutex_unlock(&mutex);
          };
          tessera::api::ThreadId ids[3];
          for (auto& id : ids) id = spawn(waiter);
          sched().yield();  // all three wait now
          st::mutex_lock(&mutex);
          ready = true;
          st::cond_notify(&go, 0x7fffffff);
          st::mutex_unlock(&mutex);
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(woke == 3);

          st::mutex_lock(&mutex);
          const long long t0 = tessera_clock_ns(0);
          CHECK(st::cond_wait_until(&go, &mutex, t0 + 5'000'000) == ETIMEDOUT);
          CHECK(tessera_clock_ns(0) - t0 >= 5'000'000);
          CHECK(mutex.word != 0);  // held again after the timeout
          st::mutex_unlock(&mutex);
          return 0;
        }) == 0);
}

TEST_CASE("futex: a wake reaches only the waiters of its word, longest waiting first, and not a word that changed") {
  CHECK(run_threads([] {
          static int a = 0, b = 0;  // same bucket or not: only the word counts
          static char order[4];
          static int n = 0;
          n = 0;
          a = b = 0;
          auto on_a = [](void* letter) {
            tessera_futex_wait(&a, 0, -1);
            order[n++] = *static_cast<const char*>(letter);
          };
          static const char first = '1', second = '2', third = 'b';
          tessera::api::ThreadId t1 = spawn(on_a, const_cast<char*>(&first));
          tessera::api::ThreadId t2 = spawn(on_a, const_cast<char*>(&second));
          tessera::api::ThreadId tb = spawn([](void*) {
            tessera_futex_wait(&b, 0, -1);
            order[n++] = 'b';
          });
          sched().yield();
          CHECK(tessera_futex_wake(&a, 1) == 1);
          sched().yield();
          CHECK(n == 1);
          CHECK(tessera_futex_wake(&a, 5) == 1);
          CHECK(sched().join(t1).ok());
          CHECK(sched().join(t2).ok());
          CHECK(n == 2);
          CHECK(tessera_futex_wake(&b, 1) == 1);
          CHECK(sched().join(tb).ok());
          CHECK(n == 3);
          CHECK(order[0] == '1');
          CHECK(order[1] == '2');
          CHECK(order[2] == third);
          CHECK(tessera_futex_wait(&a, 1, -1) == 0);  // a is 0, not 1: returns at once
          CHECK(tessera_futex_wait(&a, 0, tessera_clock_ns(0) + 1'000'000) == ETIMEDOUT);
          CHECK(tessera_futex_wake(&a, 1) == 0);  // the timed-out waiter left its bucket
          return 0;
        }) == 0);
}

TEST_CASE("call_once's once: three threads, the function runs once and the others wait until it has finished") {
  CHECK(run_threads([] {
          static st::Once once = {0};
          static int runs = 0, saw_done = 0;
          runs = saw_done = 0;
          auto caller = [](void*) {
            st::once(&once, [] {
              sched().yield();  // the others come while it runs
              ++runs;
            });
            if (runs == 1) ++saw_done;
          };
          tessera::api::ThreadId ids[3];
          for (auto& id : ids) id = spawn(caller);
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(runs == 1);
          CHECK(saw_done == 3);
          return 0;
        }) == 0);
}

TEST_CASE("recursive mutex: its holder locks it twice, another thread gets it after the last unlock") {
  CHECK(run_threads([] {
          static st::RecursiveMutex m = {{0, 0}, 0, 0};
          static int stage = 0;
          stage = 0;
          CHECK(st::recursive_lock_until(&m, st::no_deadline) == 0);
          CHECK(st::recursive_try_lock(&m));
          tessera::api::ThreadId other = spawn([](void*) {
            CHECK_FALSE(st::recursive_try_lock(&m));
            CHECK(st::recursive_unlock(&m) == EPERM);  // not its holder
            st::recursive_lock_until(&m, st::no_deadline);
            stage = stage * 10 + 2;
            st::recursive_unlock(&m);
          });
          sched().yield();
          stage = 1;
          CHECK(st::recursive_unlock(&m) == 0);
          sched().yield();
          CHECK(stage == 1);  // held once still
          CHECK(st::recursive_unlock(&m) == 0);
          CHECK(sched().join(other).ok());
          CHECK(stage == 12);
          return 0;
        }) == 0);
}

TEST_CASE("std::mutex misuse (without NDEBUG): locking it again from its holder is reported, not a hang") {
  const auto result = tessera::test::in_child([] {
    static st::Mutex m = {0, 0};
    st::mutex_lock(&m);
    st::mutex_lock(&m);  // would wait for itself forever
    return 0;
  });
  CHECK(result.status == tessera::exit_status_fault);
  CHECK(result.output.find("tessera: std::mutex misuse: locking a mutex this thread already holds") != std::string::npos);
  CHECK(result.output.find("(thread main)") != std::string::npos);
}

TEST_CASE("std::mutex misuse (without NDEBUG): unlocking it from a thread that does not hold it is reported") {
  const auto result = tessera::test::in_child([] {
    static st::Mutex m = {0, 0};
    st::mutex_lock(&m);
    tessera::api::ThreadId other = spawn([](void*) { st::mutex_unlock(&m); }, nullptr, {.name = "intruder"});
    (void)sched().join(other);
    return 0;
  });
  CHECK(result.status == tessera::exit_status_fault);
  CHECK(result.output.find("tessera: std::mutex misuse: unlocking a mutex this thread does not hold (thread intruder)") !=
        std::string::npos);
}

TEST_CASE("thread spawn and self: a spawned thread reports its own id; it ends by itself (detached)") {
  CHECK(run_threads([] {
          static unsigned long id = 0, seen = 0;
          static int finished = 0;
          finished = 0;
          REQUIRE(tessera_thread_spawn(
                      [](void*) {
                        seen = tessera_thread_self();
                        tessera_thread_sleep_ns(1'000'000);
                        __atomic_store_n(&finished, 1, __ATOMIC_RELEASE);
                        tessera_futex_wake(&finished, 1);
                      },
                      nullptr, &id) == 0);
          while (!finished) tessera_futex_wait(&finished, 0, -1);  // how std::thread::join waits
          CHECK(seen == id);
          CHECK(id != tessera_thread_self());
          CHECK_FALSE(sched().join(static_cast<tessera::api::ThreadId>(id)).ok());  // detached
          return 0;
        }) == 0);
}

}  // namespace
