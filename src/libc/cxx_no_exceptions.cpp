// libstdc++'s std::__throw_* helpers with exceptions off (the default; CONFIG_CXX_EXCEPTIONS
// off). libstdc++'s own (functexcept.o in its compiled library) build an exception object and
// throw it, which needs gettext, the unwinder and a glibc-configured libsupc++. Here each one
// prints the exception's type and message and stops the image with exit_status_exception
// (out of memory: exit_status_out_of_memory). Defining them here keeps functexcept.o, and
// everything it pulls in, out of every image. Also here, for the same reason (each would pull
// an object of libstdc++'s that needs the unwinder): std::terminate and its handler
// (libsupc++'s eh_terminate.o), std::make_shared's type tag check and std::bad_weak_ptr's
// out-of-line members (shared_ptr.o).

#include <cstdarg>
#include <cstddef>
#include <exception>
#include <memory>

#include "report.hpp"
#include "tessera/exit_status.hpp"

#if defined(__cpp_exceptions)
#error "cxx_no_exceptions.cpp is the exceptions-off runtime; meson.build leaves it out with CONFIG_CXX_EXCEPTIONS"
#endif

using tessera::report::frame_here;
using tessera::report::text;

namespace {

[[noreturn, gnu::noinline]] void raise(const char* type, const char* message, int status = tessera::exit_status_exception) {
  tessera::report::begin(type);
  if (message != nullptr) {
    text(": ");
    text(message);
  }
  text(tessera::report::kExceptionsOff);
  tessera::report::stop(status, frame_here());
}

// The printf subset libstdc++'s __throw_out_of_range_fmt messages use (%s, %zu, %lu, %u, %d,
// %%), written straight to the console.
void print_formatted(const char* format, va_list arguments) {
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      text(p, 1);
      continue;
    }
    ++p;
    if (*p == 'z' || *p == 'l') {
      ++p;
      tessera::report::unsigned_decimal(va_arg(arguments, unsigned long));
    } else if (*p == 'u') {
      tessera::report::unsigned_decimal(va_arg(arguments, unsigned));
    } else if (*p == 'd') {
      tessera::report::decimal(va_arg(arguments, int));
    } else if (*p == 's') {
      text(va_arg(arguments, const char*));
    } else if (*p == '%') {
      text("%");
    } else {
      text("%?");
      if (*p == '\0') break;
    }
  }
}

[[noreturn]] void default_terminate() {
  tessera::report::begin("std::terminate() called\n");
  tessera::report::stop(tessera::exit_status_terminate, frame_here());
}

std::terminate_handler current_terminate_handler = default_terminate;

}  // namespace

namespace std {

void __throw_bad_exception() { raise("std::bad_exception", nullptr); }
void __throw_bad_alloc() { raise("std::bad_alloc", "out of memory", tessera::exit_status_out_of_memory); }
void __throw_bad_array_new_length() { raise("std::bad_array_new_length", "new[] with a negative or too large length"); }
void __throw_bad_cast() { raise("std::bad_cast", nullptr); }
void __throw_bad_typeid() { raise("std::bad_typeid", nullptr); }
void __throw_logic_error(const char* message) { raise("std::logic_error", message); }
void __throw_domain_error(const char* message) { raise("std::domain_error", message); }
void __throw_invalid_argument(const char* message) { raise("std::invalid_argument", message); }
void __throw_length_error(const char* message) { raise("std::length_error", message); }
void __throw_out_of_range(const char* message) { raise("std::out_of_range", message); }
void __throw_runtime_error(const char* message) { raise("std::runtime_error", message); }
void __throw_range_error(const char* message) { raise("std::range_error", message); }
void __throw_overflow_error(const char* message) { raise("std::overflow_error", message); }
void __throw_underflow_error(const char* message) { raise("std::underflow_error", message); }
void __throw_ios_failure(const char* message) { raise("std::ios_base::failure", message); }
void __throw_ios_failure(const char* message, int) { raise("std::ios_base::failure", message); }
void __throw_system_error(int) { raise("std::system_error", nullptr); }
void __throw_future_error(int) { raise("std::future_error", nullptr); }
void __throw_bad_function_call() { raise("std::bad_function_call", "call of an empty std::function"); }

void __throw_out_of_range_fmt(const char* format, ...) {
  tessera::report::begin("std::out_of_range: ");
  va_list arguments;
  va_start(arguments, format);
  print_formatted(format, arguments);
  va_end(arguments);
  text(tessera::report::kExceptionsOff);
  tessera::report::stop(tessera::exit_status_exception, frame_here());
}

terminate_handler set_terminate(terminate_handler handler) noexcept {
  return __atomic_exchange_n(&current_terminate_handler, handler != nullptr ? handler : default_terminate, __ATOMIC_ACQ_REL);
}

terminate_handler get_terminate() noexcept { return __atomic_load_n(&current_terminate_handler, __ATOMIC_ACQUIRE); }

// [except.terminate]: call the handler; a handler must not return, so stop if it does.
void terminate() noexcept {
  get_terminate()();
  tessera::report::begin("std::terminate: the terminate handler returned\n");
  tessera::report::stop(tessera::exit_status_terminate, frame_here());
}

// With -fno-rtti, the control block of std::make_shared recognises its tag with this
// (std::get_deleter asks it). libstdc++'s compares type_info objects, for control blocks made
// by code compiled with RTTI; every image here is compiled without, so the tag's address is
// the tag.
bool _Sp_make_shared_tag::_S_eq(const type_info& tag) noexcept { return &tag == &_S_ti(); }

// A shared_ptr made from an expired weak_ptr raises bad_weak_ptr (bits/c++config.h in
// cxx-shim reports it by its what()). Defining its virtual functions here puts its vtable here.
bad_weak_ptr::~bad_weak_ptr() noexcept = default;
const char* bad_weak_ptr::what() const noexcept { return "bad_weak_ptr"; }

}  // namespace std
