// bits/c++locale.h for libstdc++ on picolibc. Debian's aarch64 libstdc++ is configured with the
// GNU locale model, built on glibc's locale_t (which picolibc does not have, and whose
// `__locale_t` names a different type in picolibc). Bare-metal images have the "C" locale
// only, so a locale handle is an opaque pointer that is never used, and numbers are converted
// with the C library's vsnprintf. With this and bits/ctype_base.h the iostream headers compile
// (<memory>, <iterator> and <chrono> include them); the iostream objects themselves live in
// libstdc++'s compiled library and are not linked (docs/cxx-runtime.md).
#ifndef _GLIBCXX_CXX_LOCALE_H
#define _GLIBCXX_CXX_LOCALE_H 1
#pragma GCC system_header

#include <clocale>

#define _GLIBCXX_NUM_CATEGORIES 0

namespace std _GLIBCXX_VISIBILITY(default) {
typedef int* __c_locale;

inline int __convert_from_v(const __c_locale&, char* __out, const int __size, const char* __fmt, ...) {
  __builtin_va_list __args;
  __builtin_va_start(__args, __fmt);
  const int __written = __builtin_vsnprintf(__out, __size, __fmt, __args);
  __builtin_va_end(__args);
  return __written;
}
}  // namespace std

#endif
