#pragma once
// How doctest prints tessera values in failure reports (found by argument-dependent lookup):
// "CHECK( out of memory == not owned )" instead of raw enum numbers.

#include <doctest/doctest.h>

#include <tessera/result.hpp>

namespace tessera {
inline doctest::String toString(Error e) { return to_string(e); }
}  // namespace tessera
