// Thread context switch for aarch64 (AAPCS64, Arm IHI 0055 §6.1.1: x19–x29, x30 (the return
// address) and sp are callee-saved; of the SIMD registers only the low 64 bits of v8–v15,
// i.e. d8–d15, are).
//
//   void tessera_context_switch(void** save_sp, void* load_sp);
//
// Pushes the callee-saved registers onto the current stack, stores sp in *save_sp, loads
// load_sp, pops the registers saved there and returns into that thread. Everything else is
// caller-saved, so the C++ caller has already spilled what it needs. d8–d15 are always saved
// (4 extra stp/ldp): GCC uses SIMD registers for ordinary code (struct copies, memcpy
// inlining), so "threads that use FP" is not something the scheduler could know; lazy saving
// would need a trap on first use (CPACR_EL1.FPEN), which costs more than 64 bytes of stores.
//
// Frame, from the saved sp upwards (160 bytes, 16-aligned as sp must be):
//   [sp+0]  x19 x20   [sp+16] x21 x22   [sp+32] x23 x24   [sp+48] x25 x26
//   [sp+64] x27 x28   [sp+80] x29 x30   [sp+96] d8 d9 … [sp+144] d14 d15
// include/tessera/arch/context.hpp builds the first frame of a new thread with this layout.

    .section .text.tessera_context_switch, "ax"
    .balign 16
    .global tessera_context_switch
    .type tessera_context_switch, %function
tessera_context_switch:
    sub     sp, sp, #160
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mov     x9, sp
    str     x9, [x0]
    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    add     sp, sp, #160
    ret
    .size tessera_context_switch, . - tessera_context_switch

// A new thread's first frame returns here (its x30), with
//   x19 = begin(void)            the scheduler's start hook (reaps the previous thread …)
//   x20 = entry(void* argument)  the thread's function, x21 = its argument
//   x22 = finish(void)           the scheduler's thread exit, [[noreturn]]
// These are the only indirect calls of a threaded image (the thread's function is a pointer
// by nature); they live here so the no-indirect-branch check allows one symbol.
// x29 = 0 ends frame-pointer backtraces at the thread's first frame.
    .section .text.tessera_context_start, "ax"
    .balign 16
    .global tessera_context_start
    .type tessera_context_start, %function
tessera_context_start:
    mov     x29, #0
    mov     x30, #0
    blr     x19
    mov     x0, x21
    blr     x20
    blr     x22
    brk     #0x7e                   // finish returned: not reached
    .size tessera_context_start, . - tessera_context_start
    .section .note.GNU-stack, "", %progbits
