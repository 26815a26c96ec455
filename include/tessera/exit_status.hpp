#pragma once
// Exit statuses of an image that stops on a fatal error. Each cause has its own status, so a
// test or a supervisor can tell them apart without reading the console; the QEMU runners pass
// the guest's status on as their own. 70 is EX_SOFTWARE of sysexits.h; the others follow it.
// docs/cxx-runtime.md lists them with the message each prints.

namespace tessera {

inline constexpr int exit_status_fault = 70;          // CPU exception (trap handler), kernel panic, allocator misuse
inline constexpr int exit_status_assert = 71;         // assert() failed
inline constexpr int exit_status_abort = 72;          // abort() called
inline constexpr int exit_status_terminate = 73;      // std::terminate() (with exceptions: an uncaught exception)
inline constexpr int exit_status_exception = 74;      // a C++ exception raised with exceptions off (std::__throw_*)
inline constexpr int exit_status_out_of_memory = 75;  // operator new failed with exceptions off (std::bad_alloc)
inline constexpr int exit_status_pure_virtual = 76;   // a pure virtual or deleted virtual function called
inline constexpr int exit_status_stack_smashed = 77;  // the stack protector found its canary overwritten
inline constexpr int exit_status_trap = 78;           // a trap instruction: a UBSan check (-fsanitize-trap), __builtin_trap

}  // namespace tessera
