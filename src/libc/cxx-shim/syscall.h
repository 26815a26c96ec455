/* <syscall.h> for libstdc++ on picolibc: its atomic wait/notify (bits/atomic_wait.h,
 * bits/atomic_timed_wait.h) call the Linux futex system call, syscall(SYS_futex, …). On bare
 * metal that syscall() is tessera's (src/libc/std_threads.cpp): it knows only SYS_futex, and
 * waits and wakes through the kernel's scheduler. */
#pragma once
#define SYS_futex 98 /* the number on Linux/aarch64 (asm-generic/unistd.h): only a name here */
#ifdef __cplusplus
extern "C"
#endif
long syscall(long number, ...);
