#pragma once
// Reporting allocator misuse (double free, a pointer the allocator does not own, a corrupted
// header) when a component's `.debug` option is on: the report names the allocator, the
// operation and the address, then the machine exits with tessera::exit_status_fault.
// With `.debug` off, components return an Error instead and never touch memory they do not own.

extern "C" {
// Defined in src/alloc/misuse.cpp for images (console + exit through TESSERA_MAIN); unit tests
// define their own. Never called in constant evaluation, so misuse in a static_assert'ed
// allocator script is a compile error.
[[noreturn]] void tessera_allocator_misuse(const char* allocator, const char* operation, const void* address,
                                           const char* problem);
}
