/* libstdc++'s thread layer ("gthreads") on tessera's scheduler. Debian's libstdc++ is built
 * for POSIX threads (<pthread.h>), which picolibc does not have; here every __gthread_*
 * function that libstdc++'s headers call works on tessera's futex locks
 * (include/tessera/detail/std_threads.hpp): std::mutex and std::condition_variable are one
 * or two words each, an uncontended lock is one atomic instruction, and a thread that has to wait
 * sleeps on the kernel's scheduler. std::thread, this_thread::sleep_for and the futex of
 * atomic wait/notify are in src/libc/std_threads.cpp (libstdc++'s compiled part calls
 * pthread_create and a Linux system call for them). See docs/cxx-runtime.md. */
#pragma once
#include <time.h>
#include <tessera/detail/std_threads.hpp>

#define __GTHREADS 1
#define __GTHREADS_CXX0X 1
#define __GTHREAD_HAS_COND 1

typedef unsigned long __gthread_t;  /* the scheduler's thread id (api::ThreadId) */
typedef int __gthread_key_t;        /* thread-specific data: not supported (see below) */
typedef ::tessera::detail::stdthreads::Once __gthread_once_t;
typedef ::tessera::detail::stdthreads::Mutex __gthread_mutex_t;
typedef ::tessera::detail::stdthreads::RecursiveMutex __gthread_recursive_mutex_t;
typedef ::tessera::detail::stdthreads::Cond __gthread_cond_t;
typedef struct timespec __gthread_time_t; /* an absolute time of the realtime clock */

#define __GTHREAD_MUTEX_INIT {0, 0}
#define __GTHREAD_ONCE_INIT {0}
#define __GTHREAD_RECURSIVE_MUTEX_INIT {{0, 0}, 0, 0}
#define __GTHREAD_COND_INIT {0}
#define __GTHREAD_TIME_INIT {0, 0}

namespace tessera::detail::stdthreads {
inline long long deadline_of(const __gthread_time_t* t) {
  return steady_deadline_from_realtime(t->tv_sec, t->tv_nsec);
}
}  // namespace tessera::detail::stdthreads

static inline int __gthread_active_p(void) { return 1; }

/* Threads are created by std::thread (src/libc/std_threads.cpp), which joins and detaches
 * them itself; libstdc++'s headers never call these three. */
static inline int __gthread_create(__gthread_t*, void* (*)(void*), void*) { return ENOSYS; }
static inline int __gthread_join(__gthread_t, void**) { return ENOSYS; }
static inline int __gthread_detach(__gthread_t) { return ENOSYS; }
static inline int __gthread_equal(__gthread_t a, __gthread_t b) { return a == b; }
static inline __gthread_t __gthread_self(void) { return tessera_thread_self(); }
static inline int __gthread_yield(void) {
  tessera_thread_yield();
  return 0;
}

static inline int __gthread_once(__gthread_once_t* once, void (*function)(void)) {
  ::tessera::detail::stdthreads::once(once, function);
  return 0;
}

/* Thread-specific data (pthread_key_*): not supported; no header of libstdc++'s needs it
 * (std::notify_all_at_thread_exit, in its compiled part, does and is not available). */
static inline int __gthread_key_create(__gthread_key_t*, void (*)(void*)) { return ENOMEM; }
static inline int __gthread_key_delete(__gthread_key_t) { return EINVAL; }
static inline void* __gthread_getspecific(__gthread_key_t) { return 0; }
static inline int __gthread_setspecific(__gthread_key_t, const void*) { return EINVAL; }

static inline void __gthread_mutex_init_function(__gthread_mutex_t* m) {
  m->word = 0;
  m->holder = 0;
}
static inline int __gthread_mutex_destroy(__gthread_mutex_t*) { return 0; }
static inline int __gthread_mutex_lock(__gthread_mutex_t* m) {
  ::tessera::detail::stdthreads::mutex_lock(m);
  return 0;
}
static inline int __gthread_mutex_trylock(__gthread_mutex_t* m) {
  return ::tessera::detail::stdthreads::mutex_try_lock(m) ? 0 : EBUSY;
}
static inline int __gthread_mutex_timedlock(__gthread_mutex_t* m, const __gthread_time_t* t) {
  return ::tessera::detail::stdthreads::mutex_lock_until(m, ::tessera::detail::stdthreads::deadline_of(t));
}
static inline int __gthread_mutex_unlock(__gthread_mutex_t* m) {
  ::tessera::detail::stdthreads::mutex_unlock(m);
  return 0;
}

static inline int __gthread_recursive_mutex_init_function(__gthread_recursive_mutex_t* m) {
  *m = __gthread_recursive_mutex_t __GTHREAD_RECURSIVE_MUTEX_INIT;
  return 0;
}
static inline int __gthread_recursive_mutex_destroy(__gthread_recursive_mutex_t*) { return 0; }
static inline int __gthread_recursive_mutex_lock(__gthread_recursive_mutex_t* m) {
  return ::tessera::detail::stdthreads::recursive_lock_until(m, ::tessera::detail::stdthreads::no_deadline);
}
static inline int __gthread_recursive_mutex_trylock(__gthread_recursive_mutex_t* m) {
  return ::tessera::detail::stdthreads::recursive_try_lock(m) ? 0 : EBUSY;
}
static inline int __gthread_recursive_mutex_timedlock(__gthread_recursive_mutex_t* m, const __gthread_time_t* t) {
  return ::tessera::detail::stdthreads::recursive_lock_until(m, ::tessera::detail::stdthreads::deadline_of(t));
}
static inline int __gthread_recursive_mutex_unlock(__gthread_recursive_mutex_t* m) {
  return ::tessera::detail::stdthreads::recursive_unlock(m);
}

static inline int __gthread_cond_init_function(__gthread_cond_t* c) {
  c->sequence = 0;
  return 0;
}
static inline int __gthread_cond_destroy(__gthread_cond_t*) { return 0; }
static inline int __gthread_cond_broadcast(__gthread_cond_t* c) {
  ::tessera::detail::stdthreads::cond_notify(c, 0x7fffffff);
  return 0;
}
static inline int __gthread_cond_signal(__gthread_cond_t* c) {
  ::tessera::detail::stdthreads::cond_notify(c, 1);
  return 0;
}
static inline int __gthread_cond_wait(__gthread_cond_t* c, __gthread_mutex_t* m) {
  ::tessera::detail::stdthreads::cond_wait(c, m);
  return 0;
}
static inline int __gthread_cond_timedwait(__gthread_cond_t* c, __gthread_mutex_t* m, const __gthread_time_t* t) {
  return ::tessera::detail::stdthreads::cond_wait_until(c, m, ::tessera::detail::stdthreads::deadline_of(t));
}
/* The recursive mutex is held exactly once here (libstdc++ uses this for a mutex it locked
 * itself): wait on its inner mutex, keeping owner and depth. */
static inline int __gthread_cond_wait_recursive(__gthread_cond_t* c, __gthread_recursive_mutex_t* m) {
  const unsigned long owner = m->owner;
  const unsigned depth = m->depth;
  m->owner = 0;
  m->mutex.holder = tessera_thread_self();  // the inner mutex is this thread's for the wait's checks
  ::tessera::detail::stdthreads::cond_wait(c, &m->mutex);
  m->owner = owner;
  m->depth = depth;
  return 0;
}
