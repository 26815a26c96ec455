#pragma once
// The kernel type TESSERA_MAIN falls back on when the application's does not exist.

#include <cstddef>

#include "tessera/result.hpp"

namespace tessera::detail {

// What TESSERA_MAIN uses when the application's kernel type does not exist (its `using` line
// failed to compile, e.g. a component template written without <>): that line's error is the
// one to read, so everything TESSERA_MAIN defines still compiles, against this placeholder,
// instead of adding a page of errors about an undeclared type.
struct PlaceholderKernel {
  static constexpr bool well_formed = false;
  template <int (*Main)()>
  [[noreturn]] static void boot() { __builtin_trap(); }
  static void console_write(const char*, std::size_t) {}
  static int console_read() { return -1; }
  [[noreturn]] static void exit(int) { __builtin_trap(); }
  [[noreturn]] static void panic(const char*, Error) { __builtin_trap(); }
  using allocator_type = void;
};

template <class Holder>
struct KernelOf {
  using type = PlaceholderKernel;
};
template <class Holder>
  requires requires { typename Holder::type; }
struct KernelOf<Holder> {
  using type = typename Holder::type;
};

}  // namespace tessera::detail
