// bits/ctype_base.h for libstdc++ on picolibc: the character classes of std::ctype in terms of
// picolibc's <ctype.h> table bits (the glibc-configured header names glibc's _ISupper …).
#pragma once
#pragma GCC system_header

#include <ctype.h>

namespace std _GLIBCXX_VISIBILITY(default) {
struct ctype_base {
  typedef const int* __to_type;
  typedef unsigned char mask;  // picolibc's table entries are bytes
  static const mask upper = _U;
  static const mask lower = _L;
  static const mask alpha = _U | _L;
  static const mask digit = _N;
  static const mask xdigit = _X | _N;
  static const mask space = _S;
  static const mask print = _P | _U | _L | _N | _B;
  static const mask graph = _P | _U | _L | _N;
  static const mask cntrl = _C;
  static const mask punct = _P;
  static const mask alnum = _U | _L | _N;
  static const mask blank = _B;
};
}  // namespace std
