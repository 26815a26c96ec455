#pragma once
// tessera::Result<T>: a value or an Error, returned instead of throwing (there are no
// exceptions on bare metal). constexpr throughout so components can be tested in
// static_assert. Cost: sizeof(T) plus one enum, no heap, no RTTI.

#include <type_traits>
#include <utility>

namespace tessera {

enum class Error : unsigned char {
  out_of_memory = 1,
  invalid_argument,
  not_supported,
  not_owned,     // pointer or handle does not belong to this component
  double_free,
  would_block,   // nothing available now; try again later
  io_error,
  timeout,
  corrupt,       // malformed input (device tree, packet, disk contents)
  out_of_range,  // past the end (a block past the device's capacity)
  misaligned,    // a buffer or size not aligned as the API requires
  no_space,      // full (a disk, a log)
};

// A short English name for an error, for console reports.
constexpr const char* to_string(Error e) {
  switch (e) {
    case Error::out_of_memory: return "out of memory";
    case Error::invalid_argument: return "invalid argument";
    case Error::not_supported: return "not supported";
    case Error::not_owned: return "not owned";
    case Error::double_free: return "double free";
    case Error::would_block: return "would block";
    case Error::io_error: return "I/O error";
    case Error::timeout: return "timeout";
    case Error::corrupt: return "corrupt data";
    case Error::out_of_range: return "out of range";
    case Error::misaligned: return "misaligned buffer";
    case Error::no_space: return "no space left";
  }
  return "unknown error";
}

// Tag to construct a failed Result: `return tessera::fail(Error::out_of_memory);`
struct Failure {
  Error error;
};
constexpr Failure fail(Error e) { return Failure{e}; }

template <class T>
class [[nodiscard]] Result {
  static_assert(std::is_trivially_destructible_v<T>,
                "tessera::Result<T>: T must be trivially destructible (kernel results are plain values)");

 public:
  constexpr Result(T value) : value_(value), error_{} {}
  constexpr Result(Failure f) : value_{}, error_(f.error) {}

  constexpr bool ok() const { return error_ == Error{}; }
  constexpr explicit operator bool() const { return ok(); }
  constexpr Error error() const { return error_; }
  constexpr T value() const { return value_; }
  constexpr T value_or(T fallback) const { return ok() ? value_ : fallback; }
  constexpr T operator*() const { return value_; }

 private:
  T value_;
  Error error_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  constexpr Result() : error_{} {}
  constexpr Result(Failure f) : error_(f.error) {}

  constexpr bool ok() const { return error_ == Error{}; }
  constexpr explicit operator bool() const { return ok(); }
  constexpr Error error() const { return error_; }

 private:
  Error error_;
};

}  // namespace tessera
