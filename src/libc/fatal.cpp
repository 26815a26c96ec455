// The fatal paths of the C and C++ runtime on bare metal: assert, abort, the stack protector,
// pure virtual calls, std::terminate's default handler's report, a C++ exception raised with
// exceptions off, operator new out of memory. Each prints what happened and a backtrace, then
// stops the image with its own exit status (tessera/exit_status.hpp); none returns, none
// hangs. picolibc's own abort (raise → getpid, kill) and __assert_func (fprintf, stdio
// buffers) are replaced: their archive members are never linked because these come first.

#include <cstddef>
#include <cstdint>
#include <new>

#include "report.hpp"
#include "tessera/exit_status.hpp"

using tessera::report::begin;
using tessera::report::frame_here;
using tessera::report::text;

namespace {

// The exception type out of __tessera_throw_or_stop's __PRETTY_FUNCTION__
// ("… [with E = std::bad_variant_access]"), or "a C++ exception" if it is not there.
void print_type_from_signature(const char* signature) {
  const char* type = signature;
  while (*type != '\0' && !(type[0] == 'E' && type[1] == ' ' && type[2] == '=' && type[3] == ' ')) ++type;
  if (*type == '\0') {
    text("a C++ exception");
    return;
  }
  type += 4;
  unsigned long n = 0;
  while (type[n] != '\0' && type[n] != ']' && type[n] != ';') ++n;
  text(type, n);
}

}  // namespace

extern "C" {

[[noreturn]] void abort() {
  begin("abort() called\n");
  tessera::report::stop(tessera::exit_status_abort, frame_here());
}

// picolibc's assert(e): __assert_func(__FILE__, __LINE__, __PRETTY_FUNCTION__, #e).
[[noreturn]] void __assert_func(const char* file, int line, const char* function, const char* expression) {
  begin("assertion failed: ");
  text(expression != nullptr ? expression : "(unknown)");
  text("\n  function: ");
  text(function != nullptr ? function : "(unknown)");
  text("\n  at: ");
  text(file != nullptr ? file : "(unknown)");
  text(":");
  tessera::report::decimal(line);
  text("\n");
  tessera::report::stop(tessera::exit_status_assert, frame_here());
}

[[noreturn]] void __assert(const char* file, const char* expression, int line) {
  __assert_func(file, line, nullptr, expression);
}

// -fstack-protector (CONFIG_STACK_PROTECTOR): a terminator canary (a zero, a newline, a
// carriage return and 0xff byte stop the string functions that overflow most buffers).
std::uintptr_t __stack_chk_guard = 0x000a0dff'5a3c96e1;

[[noreturn]] void __stack_chk_fail() {
  begin("stack smashing detected: a function's stack canary was overwritten (a buffer overflow on the stack)\n");
  tessera::report::stop(tessera::exit_status_stack_smashed, frame_here());
}

// A virtual call on an object under construction or destruction, whose dynamic type is
// still (or again) an abstract base.
[[noreturn]] void __cxa_pure_virtual() {
  begin("pure virtual function called (on an object under construction or destruction?)\n");
  tessera::report::stop(tessera::exit_status_pure_virtual, frame_here());
}

[[noreturn]] void __cxa_deleted_virtual() {
  begin("deleted virtual function called\n");
  tessera::report::stop(tessera::exit_status_pure_virtual, frame_here());
}

// What libstdc++'s headers raise with exceptions off (bits/c++config.h in src/libc/cxx-shim).
[[noreturn]] void tessera_cxx_uncaught(const char* signature, const char* what) noexcept {
  begin("");
  print_type_from_signature(signature);
  text(": ");
  text(what != nullptr ? what : "");
  text(tessera::report::kExceptionsOff);
  tessera::report::stop(tessera::exit_status_exception, frame_here());
}

// operator new found no memory (detail/libc_heap.hpp). As the standard says: call the
// new-handler if there is one (operator new then tries again), else raise std::bad_alloc,
// which with exceptions off stops the image.
void tessera_cxx_out_of_memory(std::size_t size, std::size_t alignment) {
  if (std::new_handler handler = std::get_new_handler()) {
    handler();
    return;
  }
#if defined(__cpp_exceptions)
  (void)size;
  (void)alignment;
  throw std::bad_alloc();
#else
  begin("std::bad_alloc: operator new(");
  tessera::report::unsigned_decimal(size);
  text(" bytes, alignment ");
  tessera::report::unsigned_decimal(alignment);
  text("): out of memory\n");
  tessera::report::stop(tessera::exit_status_out_of_memory, frame_here());
#endif
}

}  // extern "C"
