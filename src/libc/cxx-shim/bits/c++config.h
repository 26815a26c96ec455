/* bits/c++config.h for libstdc++ on picolibc (bare-metal images). Debian's aarch64 libstdc++
 * is configured for glibc on Linux; this wraps its configuration header and takes back what
 * is not true here:
 *  - no Linux futex: <atomic>'s wait/notify (bits/atomic_wait.h) would include <syscall.h>.
 *    Without futex or gthreads, atomic wait/notify are not declared (the threads issue maps
 *    them onto tessera's scheduler);
 *  - no timespec_get in picolibc;
 *  - without exceptions, libstdc++'s headers stop with __builtin_abort() where they would
 *    throw (bad_variant_access, bad_optional_access, bad_weak_ptr, bad_any_cast …). Here they
 *    report the exception's type and what() and stop the image instead (src/libc/fatal.cpp),
 *    as the std::__throw_* helpers do (src/libc/cxx_no_exceptions.cpp). See docs/cxx-runtime.md. */
#pragma once
#include_next <bits/c++config.h>

#undef _GLIBCXX_HAVE_LINUX_FUTEX
#undef _GLIBCXX_HAVE_LINUX_FUTEX_PRIVATE
#undef _GLIBCXX_HAS_GTHREADS      /* gthr-default.h is the single-threaded layer (until the threads issue) */
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
