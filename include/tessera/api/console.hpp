#pragma once
// API: a byte console (UART, stdout). Static: there is one per platform.

#include <concepts>
#include <cstddef>

#include "tessera/result.hpp"

namespace tessera::api {

template <class C>
concept Console = requires(const char* text, std::size_t length, char c) {
  { C::init() } -> std::same_as<void>;
  { C::put(c) } -> std::same_as<void>;             // blocks until the byte is accepted
  { C::write(text, length) } -> std::same_as<void>; // lines end as the other side expects ("\r\n" on a UART)
  { C::read() } -> std::same_as<Result<char>>;      // Error::would_block when nothing waits
};

}  // namespace tessera::api
