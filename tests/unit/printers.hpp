#pragma once
// How doctest prints tessera values in failure reports (found by argument-dependent lookup):
// "CHECK( out of memory == not owned )" instead of raw enum numbers.

#include <doctest/doctest.h>

#include <tessera/api/allocator.hpp>
#include <tessera/result.hpp>

namespace tessera {
inline doctest::String toString(Error e) { return to_string(e); }
}  // namespace tessera

namespace tessera::api {
// CHECK(stats == AllocatorStats{…}) compares every field and prints both sides.
inline bool operator==(const AllocatorStats& a, const AllocatorStats& b) {
  return a.bytes_in_use == b.bytes_in_use && a.peak_in_use == b.peak_in_use && a.bytes_free == b.bytes_free &&
         a.largest_free == b.largest_free;
}
inline doctest::String toString(const AllocatorStats& s) {
  return doctest::String("{in_use ") + doctest::toString(s.bytes_in_use) + ", peak " +
         doctest::toString(s.peak_in_use) + ", free " + doctest::toString(s.bytes_free) + ", largest " +
         doctest::toString(s.largest_free) + "}";
}
}  // namespace tessera::api
