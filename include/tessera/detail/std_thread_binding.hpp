#pragma once
// libstdc++'s thread layer bound to the application's kernel: the futex and the thread calls
// that detail/std_threads.hpp declares (tessera_futex_wait, tessera_thread_spawn …), defined
// by TESSERA_MAIN for its kernel type K on bare metal (one definition per image; the linker
// drops them from images that use no std:: thread, lock or atomic wait).
//
// The futex: waiters sleep on a wait queue of their own (on their stack), linked into one of
// 16 buckets by the waited-for address, so a wake-up reaches exactly the threads waiting on
// that address, longest waiting first. Only the Scheduler concept is used: wait, wait_until,
// wake_one, spawn, current, yield, sleep_for, and the scheduler's critical section (as
// tessera::sync uses it) around "compare the word, then wait", so no wake-up falls between.
// Cost: 128 bytes of bucket heads; a wait or wake walks one bucket.
//
// With a scheduler that cannot block (sched::None) the std:: thread headers (<thread>,
// <mutex>, <condition_variable>, <semaphore>, <latch>, <barrier>, <stop_token>) are a
// compile error in the file with TESSERA_MAIN; an atomic wait that would block (nothing else
// could ever change the value) reports "all threads blocked" and stops the image.
// The hosted platform keeps glibc's std:: threads (Linux threads, not tessera's).

#include <errno.h>

#include <cstddef>
#include <cstdint>

#include "tessera/api/clock.hpp"
#include "tessera/detail/cxx_clock.hpp"
#include "tessera/sync/detail/misuse.hpp"

// src/libc/std_threads.cpp: "all threads blocked" for a wait that nothing could end.
extern "C" [[noreturn]] void tessera_std_wait_forever(const char* scheduler);

namespace tessera::detail {

template <class K>
class StdThreadBinding {
  using Scheduler = typename K::scheduler_type;
  using Queue = typename Scheduler::wait_queue;
  using Clock = typename K::platform::clock;

  struct Waiter {
    const int* word;
    Waiter* next;
    bool woken;
    Queue queue;
  };
  static constexpr std::size_t kBuckets = 16;
  static inline Waiter* buckets_[kBuckets] = {};

  static Waiter** bucket(const int* word) {
    return &buckets_[(reinterpret_cast<std::uintptr_t>(word) >> 2) % kBuckets];
  }
  static void unlink(Waiter* w) {
    for (Waiter** p = bucket(w->word); *p; p = &(*p)->next)
      if (*p == w) {
        *p = w->next;
        return;
      }
  }
  // The platform clock's tick at steady-clock nanosecond `ns` (rounded up: never early).
  static std::uint64_t ticks_at(long long ns) {
    const long long now = static_cast<long long>(api::now_ns<Clock>());
    const std::uint64_t ahead = ns > now ? static_cast<std::uint64_t>(ns - now) : 0;
    const std::uint64_t f = Clock::frequency();
    return Clock::now() + ahead / 1'000'000'000u * f + (ahead % 1'000'000'000u * f + 999'999'999u) / 1'000'000'000u;
  }

 public:
  static int futex_wait(const int* word, int expected, long long deadline_ns) {
    [[maybe_unused]] sync::detail::critical_section<K> critical;
    if (__atomic_load_n(word, __ATOMIC_RELAXED) != expected) return 0;
    if constexpr (!Scheduler::can_block) {
      tessera_std_wait_forever(Scheduler::name);  // its message is in src/libc: not in images without waits
    } else {
      Waiter self{word, nullptr, false, {}};
      Waiter** tail = bucket(word);
      while (*tail) tail = &(*tail)->next;
      *tail = &self;  // at the end: FIFO among the waiters of one word
      if (deadline_ns < 0)
        K::sched().wait(self.queue);
      else
        (void)K::sched().wait_until(self.queue, ticks_at(deadline_ns));
      if (self.woken) return 0;
      unlink(&self);
      return ETIMEDOUT;
    }
  }

  static int futex_wake(const int* word, int count) {
    if constexpr (!Scheduler::can_block) {
      return 0;  // nobody waits: a wait never returns with sched::None
    } else {
      [[maybe_unused]] sync::detail::critical_section<K> critical;
      int woken = 0;
      for (Waiter** p = bucket(word); *p && woken < count;) {
        Waiter* w = *p;
        if (w->word != word) {
          p = &w->next;
          continue;
        }
        *p = w->next;
        // A waiter whose deadline has just passed is no longer on its queue (the scheduler
        // took it off) but still in the bucket until it runs: it must not use up this wake-up,
        // or a thread that really waits would not be woken.
        if (K::sched().wake_one(w->queue) == 0) continue;
        w->woken = true;
        ++woken;
      }
      return woken;
    }
  }

  static int spawn(void (*entry)(void*), void* argument, unsigned long* id) {
    if constexpr (!Scheduler::can_block) {
      return EAGAIN;
    } else {
      auto spawned = K::sched().spawn(entry, argument, {.name = "std::thread", .detached = true});
      if (!spawned) return EAGAIN;
      *id = spawned.value();
      return 0;
    }
  }
  static unsigned long self() { return K::sched().current(); }
  static const char* name() {
    if constexpr (requires { K::sched().current_name(); })
      return K::sched().current_name();
    else
      return "main";
  }
  static void yield() { K::sched().yield(); }
  static void sleep_ns(unsigned long long ns) {
    if constexpr (Scheduler::can_block) {
      K::sched().sleep_for(ns);
    } else {
      const std::uint64_t until = ticks_at(static_cast<long long>(api::now_ns<Clock>() + ns));
      while (Clock::now() < until) {}
    }
  }
  static long long clock_ns(int realtime) {
    return realtime ? CxxClock<K>::system_ns() : CxxClock<K>::steady_ns();
  }
};

// The entry points dispatch through these templates, so that an ill-formed kernel type (the
// placeholder TESSERA_MAIN uses after an error) adds no diagnostic of its own.
template <class K>
int std_futex_wait(const int* word, int expected, long long deadline_ns) {
  if constexpr (K::well_formed) return StdThreadBinding<K>::futex_wait(word, expected, deadline_ns);
  return EINVAL;
}
template <class K>
int std_futex_wake(const int* word, int count) {
  if constexpr (K::well_formed) return StdThreadBinding<K>::futex_wake(word, count);
  return 0;
}
template <class K>
int std_thread_spawn(void (*entry)(void*), void* argument, unsigned long* id) {
  if constexpr (K::well_formed) return StdThreadBinding<K>::spawn(entry, argument, id);
  return EAGAIN;
}
template <class K>
unsigned long std_thread_self() {
  if constexpr (K::well_formed) return StdThreadBinding<K>::self();
  return 0;
}
template <class K>
const char* std_thread_name() {
  if constexpr (K::well_formed) return StdThreadBinding<K>::name();
  return "";
}
template <class K>
void std_thread_yield() {
  if constexpr (K::well_formed) StdThreadBinding<K>::yield();
}
template <class K>
void std_thread_sleep_ns(unsigned long long ns) {
  if constexpr (K::well_formed) StdThreadBinding<K>::sleep_ns(ns);
}
template <class K>
long long std_clock_ns(int realtime) {
  if constexpr (K::well_formed) return StdThreadBinding<K>::clock_ns(realtime);
  return 0;
}

// Whether the std:: thread headers may be used with kernel K (the TESSERA_MAIN check).
template <class K, bool HeadersIncluded>
constexpr bool std_threads_allowed() {
  if constexpr (!HeadersIncluded || !K::well_formed)
    return true;
  else
    return K::scheduler_type::can_block;
}

}  // namespace tessera::detail

// The cxx-shim's <thread>, <mutex>, <condition_variable>, … set this to 1.
#ifndef TESSERA_DETAIL_STD_THREAD_HEADERS
#define TESSERA_DETAIL_STD_THREAD_HEADERS 0
#endif

// The entry points for kernel K (also used by the hosted unit tests, where TESSERA_MAIN leaves
// std:: threads to glibc).
#define TESSERA_DETAIL_STD_THREAD_ENTRY_POINTS(K)                                                        \
  extern "C" int tessera_futex_wait(const int* word, int expected, long long deadline_ns) {             \
    return ::tessera::detail::std_futex_wait<K>(word, expected, deadline_ns);                            \
  }                                                                                                      \
  extern "C" int tessera_futex_wake(const int* word, int count) {                                        \
    return ::tessera::detail::std_futex_wake<K>(word, count);                                            \
  }                                                                                                      \
  extern "C" int tessera_thread_spawn(void (*entry)(void*), void* argument, unsigned long* id) {         \
    return ::tessera::detail::std_thread_spawn<K>(entry, argument, id);                                  \
  }                                                                                                      \
  extern "C" unsigned long tessera_thread_self() { return ::tessera::detail::std_thread_self<K>(); }     \
  extern "C" void tessera_thread_yield() { ::tessera::detail::std_thread_yield<K>(); }                   \
  extern "C" const char* tessera_thread_name() { return ::tessera::detail::std_thread_name<K>(); }       \
  extern "C" void tessera_thread_sleep_ns(unsigned long long ns) {                                       \
    ::tessera::detail::std_thread_sleep_ns<K>(ns);                                                       \
  }                                                                                                      \
  extern "C" long long tessera_clock_ns(int realtime) { return ::tessera::detail::std_clock_ns<K>(realtime); }

#if defined(TESSERA_PLATFORM_HOSTED)
#define TESSERA_DETAIL_STD_THREADS(K)
#else
#define TESSERA_DETAIL_STD_THREADS(K)                                                                    \
  static_assert(::tessera::detail::std_threads_allowed<K, TESSERA_DETAIL_STD_THREAD_HEADERS>(),          \
                "std::thread, std::mutex, std::condition_variable and the other std:: thread headers "   \
                "included here need a scheduler that can block, and the kernel's (sched::None) runs the " \
                "application to completion on one stack: use tessera::sched::Cooperative<> (Kconfig: "    \
                "SCHED_COOPERATIVE) or sched::Preemptive<>");                                             \
  TESSERA_DETAIL_STD_THREAD_ENTRY_POINTS(K)
#endif
