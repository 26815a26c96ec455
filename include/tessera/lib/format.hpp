#pragma once
// Number formatting without printf, for fault reports and panics (which must not depend on
// the C library's state).

#include <cstddef>
#include <cstdint>

namespace tessera::lib {

constexpr std::size_t length(const char* s) {
  std::size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

// Writes the low `digits` (1..16) lower-case hex digits of `value`, zero-padded, to
// out[0..digits); returns digits.
constexpr std::size_t format_hex(char* out, std::uint64_t value, int digits = 16) {
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[i] = "0123456789abcdef"[value & 0xf];
  return static_cast<std::size_t>(digits);
}

// Writes `value` in decimal to out (at least 20 chars); returns the length.
constexpr std::size_t format_unsigned(char* out, std::uint64_t value) {
  char digits[20];
  std::size_t n = 0, length = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out[length++] = digits[--n];
  return length;
}

// Writes `value` in decimal (with a '-' if negative) to out (at least 21 chars); returns the length.
constexpr std::size_t format_decimal(char* out, std::int64_t value) {
  const std::size_t sign = value < 0 ? 1 : 0;
  out[0] = '-';  // overwritten by the first digit when there is no sign
  const auto magnitude = static_cast<std::uint64_t>(value);
  return sign + format_unsigned(out + sign, sign != 0 ? 0 - magnitude : magnitude);
}

}  // namespace tessera::lib
