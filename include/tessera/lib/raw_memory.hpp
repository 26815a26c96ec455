#pragma once
// Integers stored in raw bytes (allocator headers kept inside the memory they manage), in a
// way that works in constant evaluation too: there a std::byte array cannot be reinterpreted
// as another type, so values are assembled byte by byte (little-endian). At run time it is
// one load or store.

#include <cstddef>
#include <cstdint>

namespace tessera::lib {

template <class Word>
constexpr Word load(const std::byte* p) {
  if (__builtin_is_constant_evaluated()) {
    Word v = 0;
    for (std::size_t i = sizeof(Word); i-- > 0;) v = static_cast<Word>(v << 8 | static_cast<Word>(p[i]));
    return v;
  }
  Word v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

template <class Word>
constexpr void store(std::byte* p, Word v) {
  if (__builtin_is_constant_evaluated()) {
    for (std::size_t i = 0; i < sizeof(Word); ++i) p[i] = static_cast<std::byte>(v >> (8 * i) & 0xff);
    return;
  }
  __builtin_memcpy(p, &v, sizeof v);
}

}  // namespace tessera::lib
