/* bits/c++config.h for libstdc++ on picolibc (bare-metal images). Debian's aarch64 libstdc++
 * is configured for glibc on Linux; this wraps its configuration header and takes back what
 * is not true here:
 *  - threads: gthreads stay on, but bits/gthr-default.h here is tessera's layer instead of
 *    POSIX threads, and "Linux futex" stays on because <syscall.h> and syscall() here are
 *    tessera's futex on the scheduler (atomic wait/notify, <semaphore>, <latch>, <barrier>).
 *    What only glibc has is off: nanosleep (sleep_for calls this_thread::__sleep_for,
 *    src/libc/std_threads.cpp), the pthread_*clock* and rwlock calls (<shared_mutex> and
 *    the timed waits use mutexes and condition variables), POSIX semaphores;
 *  - no timespec_get in picolibc;
 *  - without exceptions, libstdc++'s headers stop with __builtin_abort() where they would
 *    throw (bad_variant_access, bad_optional_access, bad_weak_ptr, bad_any_cast …). Here they
 *    report the exception's type and what() and stop the image instead (src/libc/fatal.cpp),
 *    as the std::__throw_* helpers do (src/libc/cxx_no_exceptions.cpp). See docs/cxx-runtime.md. */
#pragma once
#include_next <bits/c++config.h>

#undef _GLIBCXX_USE_NANOSLEEP
#undef _GLIBCXX_USE_PTHREAD_COND_CLOCKWAIT
#undef _GLIBCXX_USE_PTHREAD_MUTEX_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_T
#undef _GLIBCXX_HAVE_POSIX_SEMAPHORE
#undef _GLIBCXX_HAVE_TIMESPEC_GET /* C11's timespec_get: picolibc has none (<ctime> would name it) */

#if !defined(__cpp_exceptions)
extern "C" [[noreturn]] void tessera_cxx_uncaught(const char* signature, const char* what) noexcept;
/* __PRETTY_FUNCTION__ names the exception type: "… [with E = std::bad_variant_access]". */
template <class E>
[[noreturn, gnu::cold, gnu::noinline]] void __tessera_throw_or_stop(const E& exception) noexcept {
  tessera_cxx_uncaught(__PRETTY_FUNCTION__, exception.what());
}
#undef _GLIBCXX_THROW_OR_ABORT
#define _GLIBCXX_THROW_OR_ABORT(_EXC) (::__tessera_throw_or_stop(_EXC))
#endif
