// lwIP's sys_arch on tessera's threads (include/tessera/net/lwip_sys_arch.hpp), on hosted
// sched::Cooperative: mailboxes keep order, refuse a post when full and block a poster until
// there is room, time out on the platform clock with lwIP's return values; semaphores count
// and time out; the mutex excludes; sys_thread_new runs its function; SYS_ARCH_PROTECT nests;
// every object goes back to the kernel's allocator.

#include "../sched/threads.hpp"

#include <tessera/net/lwip_sys_arch.hpp>

namespace {

using tessera::test::run_threads;
using tessera::test::ThreadKernel;
using Sys = tessera::net::detail::LwipSys<ThreadKernel>;

auto& sched() { return ThreadKernel::sched(); }
std::uint64_t now_ms() { return ThreadKernel::platform::clock::now() / 1'000'000u; }  // hosted: ns

sys_mbox_t box;
int values[6] = {1, 2, 3, 4, 5, 6};
int received_sum = 0, order_ok = 0;

TEST_CASE("a mailbox: FIFO, full and empty, a poster blocked until a fetch makes room, timeouts") {
  const auto heap_before = ThreadKernel::alloc().stats().bytes_in_use;
  CHECK(run_threads([] {
          REQUIRE(Sys::mbox_new(&box, 2) == ERR_OK);
          CHECK(Sys::mbox_trypost(&box, &values[0]) == ERR_OK);
          CHECK(Sys::mbox_trypost(&box, &values[1]) == ERR_OK);
          CHECK(Sys::mbox_trypost(&box, &values[2]) == ERR_MEM);  // full
          // A poster of four more blocks while the box is full; fetching makes room.
          auto poster = [](void*) {
            for (int i = 2; i < 6; ++i) Sys::mbox_post(&box, &values[i]);
          };
          Sys::thread_new("poster", poster, nullptr, 64 * 1024, 0);
          order_ok = 0;
          for (int i = 0; i < 6; ++i) {
            void* message = nullptr;
            CHECK(Sys::mbox_fetch(&box, &message, 1000) != SYS_ARCH_TIMEOUT);
            order_ok += message == &values[i];
          }
          CHECK(order_ok == 6);
          void* message = nullptr;
          CHECK(Sys::mbox_tryfetch(&box, &message) == SYS_MBOX_EMPTY);
          const auto start = now_ms();
          CHECK(Sys::mbox_fetch(&box, &message, 30) == SYS_ARCH_TIMEOUT);
          CHECK(now_ms() - start >= 30);
          sched().sleep_for(1'000'000);  // the poster ends and is reaped
          Sys::mbox_free(&box);
          return 0;
        }) == 0);
  CHECK(ThreadKernel::alloc().stats().bytes_in_use == heap_before);
}

sys_sem_t sem;
sys_mutex_t mutex;
int inside = 0, overlaps = 0, done = 0;

TEST_CASE("semaphores count and time out; the mutex excludes across yields; protect nests") {
  const auto heap_before = ThreadKernel::alloc().stats().bytes_in_use;
  CHECK(run_threads([] {
          REQUIRE(Sys::sem_new(&sem, 1) == ERR_OK);
          CHECK(Sys::sem_wait(&sem, 0) != SYS_ARCH_TIMEOUT);  // the initial unit
          const auto start = now_ms();
          CHECK(Sys::sem_wait(&sem, 20) == SYS_ARCH_TIMEOUT);
          CHECK(now_ms() - start >= 20);
          auto signaller = [](void*) { Sys::sem_signal(&sem); };
          Sys::thread_new("signaller", signaller, nullptr, 64 * 1024, 0);
          const std::uint32_t waited = Sys::sem_wait(&sem, 1000);
          CHECK(waited < 1000);

          REQUIRE(Sys::mutex_new(&mutex) == ERR_OK);
          inside = overlaps = done = 0;
          auto worker = [](void*) {
            for (int i = 0; i < 50; ++i) {
              Sys::mutex_lock(&mutex);
              overlaps += inside++ != 0;
              sched().yield();  // the other worker runs, and must not get in
              --inside;
              Sys::mutex_unlock(&mutex);
              sched().yield();
            }
            ++done;
            Sys::sem_signal(&sem);
          };
          Sys::thread_new("worker-a", worker, nullptr, 64 * 1024, 0);
          Sys::thread_new("worker-b", worker, nullptr, 64 * 1024, 0);
          Sys::sem_wait(&sem, 0);
          Sys::sem_wait(&sem, 0);
          CHECK(done == 2);
          CHECK(overlaps == 0);

          CHECK(Sys::protect() == 0);
          CHECK(Sys::protect() == 1);
          Sys::unprotect(1);
          Sys::unprotect(0);
          CHECK(Sys::protect() == 0);
          Sys::unprotect(0);

          sched().sleep_for(1'000'000);
          Sys::mutex_free(&mutex);
          Sys::sem_free(&sem);
          return 0;
        }) == 0);
  CHECK(ThreadKernel::alloc().stats().bytes_in_use == heap_before);
}

}  // namespace
