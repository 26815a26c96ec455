// result.hpp: Result<T> and Result<void>, at run time and in constant evaluation.

#include <doctest/doctest.h>

#include <cstring>
#include <type_traits>

#include <tessera/result.hpp>

#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::fail;
using tessera::Result;

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return fail(Error::invalid_argument);
  return c - '0';
}

Result<void> check_even(int n) {
  if (n % 2 != 0) return fail(Error::invalid_argument);
  return {};
}

}  // namespace

TEST_CASE("a Result holding a value") {
  const Result<int> r = parse_digit('7');
  CHECK(r.ok());
  CHECK(static_cast<bool>(r));
  CHECK(r.value() == 7);
  CHECK(*r == 7);
  CHECK(r.value_or(-1) == 7);
}

TEST_CASE("a Result holding an error") {
  const Result<int> r = parse_digit('x');
  CHECK_FALSE(r.ok());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error() == Error::invalid_argument);
  CHECK(r.value_or(-1) == -1);
}

TEST_CASE("a Result of a pointer, as allocators return") {
  int x = 0;
  Result<void*> good = static_cast<void*>(&x);
  Result<void*> bad = fail(Error::out_of_memory);
  CHECK(good.ok());
  CHECK(good.value() == &x);
  CHECK(bad.error() == Error::out_of_memory);
  CHECK(bad.value_or(nullptr) == nullptr);
}

TEST_CASE("Result<void>") {
  CHECK(check_even(2).ok());
  const Result<void> odd = check_even(3);
  CHECK_FALSE(odd.ok());
  CHECK_FALSE(static_cast<bool>(odd));
  CHECK(odd.error() == Error::invalid_argument);
}

TEST_CASE("every error has a name") {
  for (Error e : {Error::out_of_memory, Error::invalid_argument, Error::not_supported, Error::not_owned,
                  Error::double_free, Error::would_block, Error::io_error, Error::timeout, Error::corrupt,
                  Error::out_of_range, Error::misaligned, Error::no_space}) {
    CAPTURE(static_cast<int>(e));
    CHECK(std::strcmp(tessera::to_string(e), "unknown error") != 0);
  }
  CHECK(std::strcmp(tessera::to_string(Error::out_of_memory), "out of memory") == 0);
  CHECK(std::strcmp(tessera::to_string(Error::corrupt), "corrupt data") == 0);
  CHECK(std::strcmp(tessera::to_string(Error{}), "unknown error") == 0);
}

// Components are checked in static_assert, so Result must work in constant evaluation and
// stay a plain value.
static_assert(Result<int>(3).ok() && Result<int>(3).value() == 3);
static_assert(!Result<int>(fail(Error::timeout)).ok() && Result<int>(fail(Error::timeout)).error() == Error::timeout);
static_assert(Result<int>(fail(Error::timeout)).value_or(9) == 9);
static_assert(Result<void>().ok() && Result<void>(fail(Error::io_error)).error() == Error::io_error);
static_assert(std::is_trivially_copyable_v<Result<int>> && std::is_trivially_copyable_v<Result<void>>);
static_assert(sizeof(Result<void>) == 1);
