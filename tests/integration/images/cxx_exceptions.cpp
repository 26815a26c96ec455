// C++ exceptions on bare metal (built with the exceptions-on runtime, CONFIG_CXX_EXCEPTIONS):
// throw and catch across frames with destructors run, the standard library's exceptions
// caught by type, a rethrow, and the exception objects' memory returned to the kernel's
// heap (after the first throw, which sorts the frame table once). Then one exception nobody catches: std::terminate reports its type and what() and
// the image stops with exit_status_terminate.

#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

namespace {

int destroyed = 0;
struct Guard {
  ~Guard() { ++destroyed; }
};

struct ParseError : std::runtime_error {
  int line;
  ParseError(const std::string& message, int at) : std::runtime_error(message), line(at) {}
};

[[gnu::noinline]] int parse(int depth) {
  Guard guard;
  if (depth == 0) throw ParseError("unexpected token", 42);
  return parse(depth - 1) + 1;
}

volatile std::size_t huge = std::size_t{1} << 40;

int checks = 0, failures = 0;
void check(bool ok, const char* what) {
  ++checks;
  if (!ok) ++failures;
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what);
}

int exceptions_main() {
  try {
    parse(5);
    check(false, "parse threw");
  } catch (const ParseError& error) {
    check(error.line == 42 && std::string(error.what()) == "unexpected token", "caught ParseError with its fields");
  }
  check(destroyed == 6, "six frames unwound, six destructors run");
  // The first throw had libgcc sort the image's frame table (kept for every later throw).
  const std::size_t heap_before = App::alloc().stats().bytes_in_use;

  try {
    std::vector<int> three{1, 2, 3};
    (void)three.at(7);
  } catch (const std::out_of_range& error) {
    check(std::string(error.what()).find("_M_range_check") != std::string::npos, "vector::at throws std::out_of_range");
  }
  try {
    std::vector<char> too_big(huge);
    check(false, "allocated 1 TiB");
  } catch (const std::bad_alloc&) {
    check(true, "operator new throws std::bad_alloc when the heap is exhausted");
  }
  try {
    std::variant<int, float> number = 1.5f;
    (void)std::get<int>(number);
  } catch (const std::bad_variant_access&) {
    check(true, "std::get throws std::bad_variant_access");
  }
  try {
    try {
      throw 17;
    } catch (int) {
      throw;  // rethrow to the outer handler
    }
  } catch (int value) {
    check(value == 17, "rethrown int reaches the outer handler");
  } catch (...) {
    check(false, "rethrown int caught by catch (...)");
  }
  check(App::alloc().stats().bytes_in_use == heap_before, "exception objects returned to the heap");
  std::printf("%d checks, %d failed\n", checks, failures);
  if (failures != 0) return failures;

  std::printf("throwing one nobody catches\n");
  throw std::logic_error("nobody catches this");
}

}  // namespace

TESSERA_MAIN(App, exceptions_main)
