#pragma once
// The locks under libstdc++'s thread layer on bare metal (std::mutex, std::recursive_mutex,
// std::condition_variable, std::call_once's once flag): each is one or a few integers in the
// object itself, waited on with a futex that the kernel's scheduler provides. The cxx-shim's
// bits/gthr-default.h calls these for libstdc++; src/libc/std_threads.cpp supplies the rest of
// the thread layer (std::thread, sleeping, the futex system call of atomic wait/notify).
//
// Not a template and independent of the kernel type: the only kernel-bound part is the
// futex and the thread calls below, extern "C" functions that TESSERA_MAIN defines once per
// image for the application's kernel (detail/std_thread_binding.hpp: direct calls into
// K::sched(), no function pointers). An uncontended lock or unlock is one atomic instruction
// and no call; only a thread that has to wait calls into the scheduler.
//
// Self-contained on purpose: libstdc++ includes this from <bits/gthr.h>, below everything.

#include <errno.h>

extern "C" {
// Kernel-bound entry points (detail/std_thread_binding.hpp). Deadlines are nanoseconds of the
// steady clock (std::chrono::steady_clock), -1 for none.
// Waits while *word == expected: 0 when woken or when *word differed already (EAGAIN is not
// told apart: every caller checks again), ETIMEDOUT at the deadline.
int tessera_futex_wait(const int* word, int expected, long long deadline_ns);
// Wakes up to `count` threads waiting on `word`, the longest waiting first; returns how many.
int tessera_futex_wake(const int* word, int count);
// A new thread running entry(argument), nobody joins it in the scheduler's sense (the
// std::thread layer joins through a futex); 0 and its id, or EAGAIN.
int tessera_thread_spawn(void (*entry)(void*), void* argument, unsigned long* id);
unsigned long tessera_thread_self(void);
void tessera_thread_yield(void);
void tessera_thread_sleep_ns(unsigned long long ns);
// Now, in nanoseconds: of std::chrono::system_clock (realtime != 0) or of steady_clock.
long long tessera_clock_ns(int realtime);
// The running thread's name (fault and misuse reports).
const char* tessera_thread_name(void);
// src/libc/std_threads.cpp: "tessera: <what> (thread <name>)", exit_status_fault.
[[noreturn]] void tessera_std_misuse(const char* what);
}

// Without NDEBUG (the default), a std::mutex knows its holder: locking it again from the same
// thread (it would wait for itself forever) and unlocking it from a thread that does not hold
// it are reported (tessera_std_misuse) instead of hanging or corrupting it. The holder is in
// the layout either way, so files built with and without NDEBUG agree on it.
#if defined(NDEBUG)
#define TESSERA_DETAIL_STD_MUTEX_CHECKS 0
#else
#define TESSERA_DETAIL_STD_MUTEX_CHECKS 1
#endif

namespace tessera::detail::stdthreads {

inline constexpr long long no_deadline = -1;

// 0: free; 1: held; 2: held, and a thread may be waiting (its unlock must wake one). The
// three states are the classic futex mutex: waiters always leave 2 behind, so no wake-up is
// lost, and an unlock that finds 1 knows nobody waits.
struct Mutex {
  int word;
  unsigned long holder;  // the holder's thread id (with the checks); 0 when free
};
struct RecursiveMutex {
  Mutex mutex;  // its holder field is unused: `owner` is the recursive mutex's
  unsigned long owner;  // the holder's thread id, 0 when free
  unsigned depth;
};
// A sequence number: a waiter sleeps while it is unchanged, every notify advances it.
struct Cond {
  int sequence;
};
// 0: not run; 1: running; 2: done; 3: running and someone waits for it.
struct Once {
  int state;
};

// A deadline in the steady clock from an absolute time of the realtime clock (what libstdc++
// passes: std::chrono::system_clock as a timespec).
inline long long steady_deadline_from_realtime(long long seconds, long nanoseconds) {
  const long long realtime = seconds * 1'000'000'000 + nanoseconds;
  return tessera_clock_ns(0) + (realtime - tessera_clock_ns(1));
}

inline bool mutex_try_take(Mutex* m) {
  int expected = 0;
  return __atomic_compare_exchange_n(&m->word, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
// Takes the mutex marked "maybe waited for" (2): a thread that has waited cannot tell whether
// others still wait, so its unlock must wake one. ETIMEDOUT if the deadline comes first.
inline int mutex_lock_contended(Mutex* m, long long deadline_ns = no_deadline) {
  while (__atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE) != 0)
    if (tessera_futex_wait(&m->word, 2, deadline_ns) == ETIMEDOUT)
      return __atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE) == 0 ? 0 : ETIMEDOUT;
  return 0;
}
// The debug checks: who takes and who releases (only the holder stores its id).
inline void took(Mutex* m) {
  if (TESSERA_DETAIL_STD_MUTEX_CHECKS) __atomic_store_n(&m->holder, tessera_thread_self(), __ATOMIC_RELAXED);
}
inline void check_not_holder(Mutex* m) {
  if (TESSERA_DETAIL_STD_MUTEX_CHECKS && __atomic_load_n(&m->word, __ATOMIC_RELAXED) != 0 &&
      __atomic_load_n(&m->holder, __ATOMIC_RELAXED) == tessera_thread_self())
    tessera_std_misuse("std::mutex misuse: locking a mutex this thread already holds (it would wait for itself forever)");
}
inline void release_checked(Mutex* m) {
  if (!TESSERA_DETAIL_STD_MUTEX_CHECKS) return;
  if (__atomic_load_n(&m->word, __ATOMIC_RELAXED) == 0 ||
      __atomic_load_n(&m->holder, __ATOMIC_RELAXED) != tessera_thread_self())
    tessera_std_misuse("std::mutex misuse: unlocking a mutex this thread does not hold");
  __atomic_store_n(&m->holder, 0ul, __ATOMIC_RELAXED);
}

inline bool mutex_try_lock(Mutex* m) {
  if (!mutex_try_take(m)) return false;
  took(m);
  return true;
}
inline void mutex_lock(Mutex* m) {
  if (!mutex_try_take(m)) {
    check_not_holder(m);
    mutex_lock_contended(m);
  }
  took(m);
}
inline int mutex_lock_until(Mutex* m, long long deadline_ns) {
  if (!mutex_try_take(m)) {
    check_not_holder(m);
    if (const int e = mutex_lock_contended(m, deadline_ns)) return e;
  }
  took(m);
  return 0;
}
inline void mutex_unlock(Mutex* m) {
  release_checked(m);
  if (__atomic_exchange_n(&m->word, 0, __ATOMIC_RELEASE) == 2) tessera_futex_wake(&m->word, 1);
}

inline bool recursive_owned(const RecursiveMutex* m, unsigned long self) {
  return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == self;  // only this thread stores self
}
inline int recursive_lock_until(RecursiveMutex* m, long long deadline_ns) {
  const unsigned long self = tessera_thread_self();
  if (!recursive_owned(m, self)) {
    if (!mutex_try_take(&m->mutex))
      if (const int e = mutex_lock_contended(&m->mutex, deadline_ns)) return e;
    __atomic_store_n(&m->owner, self, __ATOMIC_RELAXED);
  }
  ++m->depth;
  return 0;
}
inline bool recursive_try_lock(RecursiveMutex* m) {
  const unsigned long self = tessera_thread_self();
  if (!recursive_owned(m, self)) {
    if (!mutex_try_take(&m->mutex)) return false;
    __atomic_store_n(&m->owner, self, __ATOMIC_RELAXED);
  }
  ++m->depth;
  return true;
}
inline int recursive_unlock(RecursiveMutex* m) {
  if (!recursive_owned(m, tessera_thread_self()) || m->depth == 0) return EPERM;
  if (--m->depth == 0) {
    __atomic_store_n(&m->owner, 0ul, __ATOMIC_RELAXED);
    if (__atomic_exchange_n(&m->mutex.word, 0, __ATOMIC_RELEASE) == 2) tessera_futex_wake(&m->mutex.word, 1);
  }
  return 0;
}

// Releases m, waits for a notify (or the deadline), takes m again. The sequence number is
// read while m is held, so a notify between the unlock and the wait changes it and the wait
// returns at once: no wake-up is lost. m is taken again as "maybe waited for", because
// notify_all may have made several waiters ready at once.
inline int cond_wait_until(Cond* c, Mutex* m, long long deadline_ns) {
  const int seen = __atomic_load_n(&c->sequence, __ATOMIC_RELAXED);
  mutex_unlock(m);
  const int waited = tessera_futex_wait(&c->sequence, seen, deadline_ns);
  mutex_lock_contended(m);
  took(m);
  return waited == ETIMEDOUT ? ETIMEDOUT : 0;
}
inline void cond_wait(Cond* c, Mutex* m) { cond_wait_until(c, m, no_deadline); }
inline void cond_notify(Cond* c, int count) {
  __atomic_fetch_add(&c->sequence, 1, __ATOMIC_RELEASE);
  tessera_futex_wake(&c->sequence, count);
}

// Runs f once; threads that come while it runs wait until it has finished.
inline void once(Once* o, void (*f)()) {
  if (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == 2) return;
  int expected = 0;
  if (__atomic_compare_exchange_n(&o->state, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
    f();
    if (__atomic_exchange_n(&o->state, 2, __ATOMIC_RELEASE) == 3) tessera_futex_wake(&o->state, 0x7fffffff);
    return;
  }
  for (;;) {
    expected = 1;
    __atomic_compare_exchange_n(&o->state, &expected, 3, false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
    if (expected == 2) return;  // finished meanwhile (expected holds what was there)
    tessera_futex_wait(&o->state, 3, no_deadline);
  }
}

}  // namespace tessera::detail::stdthreads
