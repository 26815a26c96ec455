// lib/format.hpp: number formatting for fault reports, at run time and in constant evaluation.

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <tessera/lib/format.hpp>

namespace {

using tessera::lib::format_decimal;
using tessera::lib::format_unsigned;
using tessera::lib::format_hex;
using tessera::lib::length;

constexpr char kUnwritten = '#';

// Formats into a buffer pre-filled with kUnwritten, checks that nothing past the returned
// length was written, and returns the text.
std::string decimal(std::int64_t value) {
  char out[32];
  std::memset(out, kUnwritten, sizeof out);
  const std::size_t n = format_decimal(out, value);
  REQUIRE(n <= 20);  // "-9223372036854775808"
  for (std::size_t i = n; i < sizeof out; ++i) REQUIRE(out[i] == kUnwritten);
  return std::string(out, n);
}

std::string hex(std::uint64_t value, int digits = 16) {
  char out[32];
  std::memset(out, kUnwritten, sizeof out);
  const std::size_t n = format_hex(out, value, digits);
  REQUIRE(n == static_cast<std::size_t>(digits));
  for (std::size_t i = n; i < sizeof out; ++i) REQUIRE(out[i] == kUnwritten);
  return std::string(out, n);
}

constexpr bool same(const char* a, const char* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

TEST_CASE("format_decimal") {
  CHECK(decimal(0) == "0");
  CHECK(decimal(7) == "7");
  CHECK(decimal(10) == "10");
  CHECK(decimal(1234567890) == "1234567890");
  CHECK(decimal(-1) == "-1");
  CHECK(decimal(-70) == "-70");
  CHECK(decimal(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(decimal(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(decimal(std::numeric_limits<std::int64_t>::min() + 1) == "-9223372036854775807");
}

TEST_CASE("format_unsigned covers the whole 64-bit range") {
  char out[24];
  CHECK(std::string(out, format_unsigned(out, 0)) == "0");
  CHECK(std::string(out, format_unsigned(out, 1048576)) == "1048576");
  CHECK(std::string(out, format_unsigned(out, std::numeric_limits<std::uint64_t>::max())) == "18446744073709551615");
}

TEST_CASE("format_hex writes 16 zero-padded lower-case digits") {
  CHECK(hex(0) == "0000000000000000");
  CHECK(hex(0xdead0000) == "00000000dead0000");
  CHECK(hex(0x0123456789abcdef) == "0123456789abcdef");
  CHECK(hex(std::numeric_limits<std::uint64_t>::max()) == "ffffffffffffffff");
}

TEST_CASE("format_hex with fewer digits writes the low ones") {
  CHECK(hex(0xdead0000, 8) == "dead0000");
  CHECK(hex(0x25, 2) == "25");
  CHECK(hex(0x1234, 1) == "4");
  CHECK(hex(0x7, 4) == "0007");
}

TEST_CASE("length") {
  CHECK(length("") == 0);
  CHECK(length("tessera") == 7);
}

// Fault reports are formatted without the C library; the same code works at compile time.
static_assert([] {
  char out[21]{};
  return format_decimal(out, std::numeric_limits<std::int64_t>::min()) == 20 &&
         same(out, "-9223372036854775808", 20);
}());
static_assert([] {
  char out[16]{};
  return format_hex(out, 0xabcdef) == 16 && same(out, "0000000000abcdef", 16);
}());
static_assert(length("panic") == 5);
