// The runtime of C++ exceptions on bare metal (CONFIG_CXX_EXCEPTIONS=y). libstdc++'s compiled
// library (libsupc++: __cxa_throw, the personality routine; libstdc++: the std::__throw_*
// helpers, the exception classes) and libgcc's unwinder (libgcc_eh) are linked as Debian
// builds them, for glibc. They need a few things of glibc, supplied here for a single static
// image on one core:
//   - the unwinder finds each function's frame description through frames registered with
//     __register_frame_info (as crtbeginT.o does for static glibc programs): the linker script
//     keeps .eh_frame (platforms/common/eh_frame.ld) and registration happens before the
//     global constructors. _dl_find_object (glibc ≥ 2.35, asked only when no registered frame
//     matches) finds nothing;
//   - libstdc++'s messages go through gettext: the message itself;
//   - libsupc++'s emergency exception pool locks a pthread mutex: glibc's pthread_mutex_t
//     starts with an int and is all zeros when free, so its first int is the futex word of
//     tessera's std::mutex (tessera/detail/std_threads.hpp), which blocks through the
//     scheduler. libstdc++'s compiled code asks __libc_single_threaded whether reference
//     counts need atomic instructions: no, there may be threads;
//   - std::terminate's default handler (an uncaught exception) reports the exception's type
//     and what() and stops the image with exit_status_terminate.

#include <cxxabi.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "report.hpp"
#include "tessera/detail/std_threads.hpp"
#include "tessera/exit_status.hpp"

#if !defined(__cpp_exceptions)
#error "cxx_exceptions.cpp is the exceptions-on runtime; meson.build uses it only with CONFIG_CXX_EXCEPTIONS"
#endif

extern "C" {

// libgcc (unwind-dw2-fde.c): registers a .eh_frame section; `object` is libgcc's bookkeeping
// for it (struct object, 7 pointers on aarch64 in GCC 12; 16 words leave room).
void __register_frame_info(const void* eh_frame, void* object);
extern const char __tessera_eh_frame_start[];  // platforms/common/eh_frame.ld

struct dl_find_object;
int _dl_find_object(void*, dl_find_object*) { return -1; }

char* gettext(const char* message) { return const_cast<char*>(message); }

char __libc_single_threaded = 0;

int pthread_mutex_lock(void* m) {
  tessera::detail::stdthreads::mutex_lock(static_cast<tessera::detail::stdthreads::Mutex*>(m));
  return 0;
}
int pthread_mutex_unlock(void* m) {
  tessera::detail::stdthreads::mutex_unlock(static_cast<tessera::detail::stdthreads::Mutex*>(m));
  return 0;
}

}  // extern "C"

namespace {

// Before every other constructor: a constructor may throw (and catch).
[[gnu::constructor(101)]] void register_frames() {
  alignas(16) static std::uintptr_t object[16];
  __register_frame_info(__tessera_eh_frame_start, object);
}

}  // namespace

// libstdc++'s default terminate handler by name (its own, vterminate.o, prints through
// stdio and then calls abort, whose status would hide that an exception escaped).
namespace __gnu_cxx {

void __verbose_terminate_handler() {
  using tessera::report::text;
  tessera::report::begin("std::terminate() called");
  if (const std::type_info* type = abi::__cxa_current_exception_type()) {
    text(" after an uncaught exception of type ");
    int status = 0;
    char* name = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
    text(status == 0 && name != nullptr ? name : type->name());
    std::free(name);
    try {
      throw;
    } catch (const std::exception& exception) {
      text("\n  what(): ");
      text(exception.what());
    } catch (...) {
    }
  }
  text("\n");
  tessera::report::stop(tessera::exit_status_terminate, tessera::report::frame_here());
}

}  // namespace __gnu_cxx
