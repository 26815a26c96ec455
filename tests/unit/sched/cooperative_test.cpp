// sched::Cooperative (include/tessera/sched/cooperative.hpp) on the hosted platform: spawn,
// round-robin order, join, a thread returning from its function and one calling exit(),
// sleep ordering on the clock, timed waits, the errors of spawn, 10,000 context switches
// that keep every thread's registers and stack, and the "all threads blocked" report.

#include <cfenv>
#include <cstdint>
#include <cstring>
#include <string>

#include "threads.hpp"

namespace {

using tessera::Error;
using tessera::test::run_threads;
using tessera::test::spawn;
using tessera::test::ThreadKernel;
using Clock = tessera::platform::Hosted::clock;

auto& sched() { return ThreadKernel::sched(); }

static_assert(tessera::api::Scheduler<ThreadKernel::scheduler_type>);
static_assert(ThreadKernel::scheduler_type::can_block);
// The per-thread cost Kconfig's help and the header state (a thread control block in .bss);
// AddressSanitizer's fiber bookkeeping adds three words here.
static_assert(sizeof(tessera::sched::detail::Thread) == 144 + (TESSERA_ASAN ? 24 : 0));

std::string log_text;

TEST_CASE("the application's entry is the first thread; its status is run()'s") {
  CHECK(run_threads([] { return sched().current() != 0 ? 42 : 1; }) == 42);
}

TEST_CASE("spawned threads run when the first yields, in spawn order, round-robin") {
  log_text.clear();
  CHECK(run_threads([] {
          auto body = [](void* letter) {
            for (int i = 0; i < 3; ++i) {
              log_text += *static_cast<const char*>(letter);
              sched().yield();
            }
          };
          static const char a = 'a', b = 'b', c = 'c';
          const auto ta = spawn(body, const_cast<char*>(&a));
          const auto tb = spawn(body, const_cast<char*>(&b));
          const auto tc = spawn(body, const_cast<char*>(&c));
          log_text += 'M';  // nothing ran yet: cooperative
          CHECK(sched().join(ta).ok());
          CHECK(sched().join(tb).ok());
          CHECK(sched().join(tc).ok());
          return 0;
        }) == 0);
  CHECK(log_text == "Mabcabcabc");
}

TEST_CASE("a thread that returns from its function ends; join returns after it and only once") {
  CHECK(run_threads([] {
          static int result = 0;
          const auto id = spawn([](void* out) { *static_cast<int*>(out) = 1234; }, &result);
          CHECK(result == 0);
          CHECK(sched().join(id).ok());
          CHECK(result == 1234);
          CHECK(sched().join(id).error() == Error::invalid_argument);  // the id is stale now
          CHECK(sched().join(sched().current()).error() == Error::invalid_argument);  // itself
          CHECK(sched().join(0x7fff'0003).error() == Error::invalid_argument);        // no such thread
          return 0;
        }) == 0);
}

TEST_CASE("two threads joining the same thread: one gets ok, the other invalid_argument, neither hangs") {
  CHECK(run_threads([] {
          static tessera::api::ThreadId target;
          static tessera::Result<void> results[2] = {tessera::fail(Error::io_error), tessera::fail(Error::io_error)};
          target = spawn([](void*) { sched().yield(); });
          const auto a = spawn([](void* r) { *static_cast<tessera::Result<void>*>(r) = sched().join(target); }, &results[0]);
          const auto b = spawn([](void* r) { *static_cast<tessera::Result<void>*>(r) = sched().join(target); }, &results[1]);
          CHECK(sched().join(a).ok());
          CHECK(sched().join(b).ok());
          CHECK(results[0].ok() != results[1].ok());
          CHECK((results[0].ok() ? results[1] : results[0]).error() == Error::invalid_argument);
          return 0;
        }) == 0);
}

TEST_CASE("exit() ends a thread where it is called; its joiner wakes") {
  log_text.clear();
  CHECK(run_threads([] {
          const auto id = spawn([](void*) {
            log_text += "before ";
            sched().exit();
            log_text += "after";  // not reached
          });
          CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
  CHECK(log_text == "before ");
}

TEST_CASE("stacks go back to the allocator when threads end; detached threads free their slot") {
  CHECK(run_threads([] {
          const auto before = ThreadKernel::alloc().stats().bytes_in_use;
          for (int i = 0; i < 100; ++i) {
            const auto id = spawn([](void*) { sched().yield(); });
            CHECK(sched().join(id).ok());
          }
          CHECK(ThreadKernel::alloc().stats().bytes_in_use == before);
          // 7 slots besides the first, 50 detached threads in rounds: slots come back.
          static int finished = 0;
          for (int round = 0; round < 10; ++round) {
            for (int i = 0; i < 5; ++i) spawn([](void*) { ++finished; }, nullptr, {.detached = true});
            sched().yield();  // they all run and end
            sched().yield();  // and the last one's stack is reaped
          }
          CHECK(finished == 50);
          CHECK(ThreadKernel::alloc().stats().bytes_in_use == before);
          return 0;
        }) == 0);
}

TEST_CASE("spawn before the scheduler is initialised (a global constructor) is not_supported") {
  using Early = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::Cooperative<{.max_threads = 2}>,
                                tessera::net::None, tessera::block::None, tessera::platform::Hosted>;
  CHECK(Early::sched().spawn([](void*) {}, nullptr).error() == Error::not_supported);
}

TEST_CASE("spawn reports errors: beyond max_threads, a stack too small, no function") {
  CHECK(run_threads([] {
          tessera::api::ThreadId ids[7];
          for (auto& id : ids) id = spawn([](void*) {});  // 7 + the first = max_threads
          auto one_more = sched().spawn([](void*) {}, nullptr);
          CHECK(one_more.error() == Error::out_of_memory);
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(sched().spawn([](void*) {}, nullptr, {.stack_bytes = 512}).error() == Error::invalid_argument);
          CHECK(sched().spawn(nullptr, nullptr).error() == Error::invalid_argument);
          auto huge = sched().spawn([](void*) {}, nullptr, {.stack_bytes = std::size_t{1} << 40});
          CHECK(huge.error() == Error::out_of_memory);  // the allocator's error
          // The failed spawns left their slots free: 7 more fit again.
          for (auto& id : ids) id = spawn([](void*) {});
          for (auto id : ids) CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
}

TEST_CASE("sleepers wake in deadline order, never early") {
  CHECK(run_threads([] {
          struct Sleeper {
            std::uint64_t ms;
            std::uint64_t woke = 0, deadline = 0;
          };
          static Sleeper sleepers[3] = {{30}, {10}, {20}};
          static std::string order;
          order.clear();
          tessera::api::ThreadId ids[3];
          for (int i = 0; i < 3; ++i)
            ids[i] = spawn(
                [](void* p) {
                  auto& s = *static_cast<Sleeper*>(p);
                  s.deadline = Clock::now() + s.ms * 1'000'000;
                  sched().sleep_for(s.ms * 1'000'000);
                  s.woke = Clock::now();
                  order += static_cast<char>('0' + s.ms / 10);
                },
                &sleepers[i]);
          for (auto id : ids) CHECK(sched().join(id).ok());
          CHECK(order == "123");
          for (auto& s : sleepers) CHECK(s.woke >= s.deadline);
          return 0;
        }) == 0);
}

TEST_CASE("a timed wait times out when nobody wakes it, and not when someone does") {
  CHECK(run_threads([] {
          static tessera::sched::WaitQueue queue;
          const auto start = Clock::now();
          CHECK(sched().wait_until(queue, start + 5'000'000).error() == Error::timeout);
          CHECK(Clock::now() >= start + 5'000'000);
          CHECK(queue.empty());  // the timed-out waiter left the queue
          const auto waker = spawn([](void*) { CHECK(sched().wake_one(queue) == 1); });
          CHECK(sched().wait_until(queue, Clock::now() + 10'000'000'000).ok());  // 10 s: woken long before
          CHECK(Clock::now() < start + 5'000'000'000);
          CHECK(sched().join(waker).ok());
          CHECK(sched().wake_all(queue) == 0);
          return 0;
        }) == 0);
}

// Each thread keeps values in callee-saved registers (the asm statements make the compiler
// hold them in registers across yield()), a stack array and its own rounding mode (MXCSR
// and the x87 control word are per-thread state) across 10,000 switches in all.
// The SIMD unit's rounding control (MXCSR bits 13-14), which fegetround does not read (glibc
// reads the x87 control word).
unsigned simd_rounding() {
#if defined(__x86_64__)
  return (__builtin_ia32_stmxcsr() >> 13) & 3;
#else
  return 0;
#endif
}

struct Invariants {
  std::uint64_t seed;
  int round_mode;
  long bad = 0;
  long switches = 0;
};

void keep_invariants(void* p) {
  auto& me = *static_cast<Invariants*>(p);
  std::fesetround(me.round_mode);
  const unsigned simd_mode = simd_rounding();
  std::uint64_t a = me.seed, b = me.seed * 3, c = me.seed * 5, d = me.seed * 7, e = me.seed * 11;
  volatile std::uint64_t stack[64];
  for (int i = 0; i < 64; ++i) stack[i] = me.seed ^ static_cast<std::uint64_t>(i);
  for (int i = 0; i < 2500; ++i) {
    asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    sched().yield();
    asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    ++me.switches;
    if (a != me.seed || b != me.seed * 3 || c != me.seed * 5 || d != me.seed * 7 || e != me.seed * 11) ++me.bad;
    for (int k = 0; k < 64; ++k)
      if (stack[k] != (me.seed ^ static_cast<std::uint64_t>(k))) ++me.bad;
    if (std::fegetround() != me.round_mode || simd_rounding() != simd_mode) ++me.bad;
  }
}

TEST_CASE("10,000 context switches keep every thread's registers, stack and rounding mode") {
  static Invariants threads[4] = {{0x1111'0000'0000'0001, FE_TONEAREST},
                                  {0x2222'0000'0000'0002, FE_UPWARD},
                                  {0x3333'0000'0000'0003, FE_DOWNWARD},
                                  {0x4444'0000'0000'0004, FE_TOWARDZERO}};
  CHECK(run_threads([] {
          tessera::api::ThreadId ids[4];
          for (int i = 0; i < 4; ++i) ids[i] = spawn(keep_invariants, &threads[i]);
          for (auto id : ids) CHECK(sched().join(id).ok());
          return 0;
        }) == 0);
  for (auto& t : threads) {
    CHECK(t.switches == 2500);
    CHECK(t.bad == 0);
  }
  CHECK(std::fegetround() == FE_TONEAREST);  // the first thread's mode came back with it
}

TEST_CASE("every thread waiting and nobody asleep is reported, not a hang") {
  const auto child = tessera::test::in_child([] {
    static tessera::sched::WaitQueue never;
    spawn([](void*) { sched().wait(never); }, nullptr, {.name = "stuck-worker"});
    sched().wait(never);
    return 0;
  });
  CHECK(child.status == tessera::exit_status_fault);
  CHECK(child.output.find("tessera: all threads blocked") != std::string::npos);
  CHECK(child.output.find("thread main: waiting\n") != std::string::npos);
  CHECK(child.output.find("thread stuck-worker: waiting (the last to run)") != std::string::npos);
}

TEST_CASE("exit() in the first thread ends the application with status 0") {
  const auto child = tessera::test::in_child([] {
    spawn([](void*) { sched().exit(); });
    sched().exit();
    return 9;
  });
  CHECK(child.status == 0);
}

}  // namespace
