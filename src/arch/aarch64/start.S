// aarch64 start-up: the first instructions after reset (QEMU -kernel, or the Raspberry Pi
// firmware). Runs on the boot core only, with the MMU off:
//   1. park every core but core 0 (the scheduler may wake them later);
//   2. if entered at EL2, configure EL1 and drop to it (timers usable from EL1, AArch64 EL1);
//   3. stack, exception vectors, FP/SIMD on, thread pointer for picolibc's TLS (errno);
//   4. copy .data from its load address, clear .bss (kept small: the heap is outside it and
//      is never zeroed);
//   5. call tessera_boot() (defined by TESSERA_MAIN), which never returns.
// Register names and fields: Arm Architecture Reference Manual for A-profile (DDI 0487).

#include "el2_to_el1.inc"

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff               // Aff0: core number within the cluster
    cbnz    x1, park

    mrs     x19, CurrentEL
    ubfx    x19, x19, #2, #2            // CurrentEL.EL
    cmp     x19, #2
    b.ne    at_el1

    drop_to_el1 x0, at_el1

at_el1:
    adrp    x0, __tessera_stack_top
    add     x0, x0, :lo12:__tessera_stack_top
    mov     sp, x0
    adrp    x0, tessera_vectors
    add     x0, x0, :lo12:tessera_vectors
    msr     vbar_el1, x0
    mov     x0, #(3 << 20)              // CPACR_EL1.FPEN: no FP/SIMD traps (the compiler uses q registers)
    msr     cpacr_el1, x0
    adrp    x0, __tessera_tls_tp        // TPIDR_EL0: picolibc's thread-local data (errno)
    add     x0, x0, :lo12:__tessera_tls_tp
    msr     tpidr_el0, x0
    isb

    adrp    x0, __tessera_data_start
    add     x0, x0, :lo12:__tessera_data_start
    adrp    x1, __tessera_data_end
    add     x1, x1, :lo12:__tessera_data_end
    adrp    x2, __tessera_data_load
    add     x2, x2, :lo12:__tessera_data_load
3:  cmp     x0, x1
    b.hs    4f
    ldp     x3, x4, [x2], #16           // the linker script aligns both ends to 16
    stp     x3, x4, [x0], #16
    b       3b
4:
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
    // .bss starts 16-byte aligned (it begins with .tbss) and ends 64-byte aligned: 16 bytes a
    // step up to a 64-byte boundary, then 64 a step. Allocator state such as alloc::Tlsf's
    // ~10 KiB of list heads lives here, so this loop is most of the instructions of the boot.
1:  tst     x0, #63
    b.eq    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  b       4f
3:  stp     xzr, xzr, [x0]
    stp     xzr, xzr, [x0, #16]
    stp     xzr, xzr, [x0, #32]
    stp     xzr, xzr, [x0, #48]
    add     x0, x0, #64
4:  cmp     x0, x1
    b.lo    3b
    adrp    x0, tessera_boot_el
    strb    w19, [x0, :lo12:tessera_boot_el]
    mov     x29, xzr                    // end of the frame-pointer chain for backtraces
    mov     x30, xzr
    bl      tessera_boot

park:
    wfe
    b       park
    .size _start, . - _start

// long tessera_semihost_call(unsigned long op, const void* param)
// Arm semihosting v3 §2.1: HLT #0xF000 on AArch64. When the host has no semihosting the HLT
// is an undefined instruction; the trap handler recognises tessera_semihost_hlt, returns -1
// in x0 and resumes after it.
    .text
    .global tessera_semihost_call
    .global tessera_semihost_hlt
    .type tessera_semihost_call, %function
tessera_semihost_call:
tessera_semihost_hlt:
    hlt     #0xf000
    ret
    .size tessera_semihost_call, . - tessera_semihost_call

    .data
    .global tessera_boot_el
tessera_boot_el:
    .byte   0
