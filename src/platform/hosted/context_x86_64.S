// Thread context switch for the hosted platform on x86_64 (System V AMD64 ABI §3.2.1:
// rbx, rbp, r12–r15 and rsp are callee-saved, and so are the x87 control word and MXCSR's
// control bits, §3.2.3). Own assembly instead of swapcontext: no signal-mask system call.
//
//   void tessera_context_switch(void** save_sp, void* load_sp);   // rdi, rsi
//
// Frame, from the saved rsp upwards (64 bytes with the return address):
//   [rsp+0] mxcsr (4 bytes), x87 control word (2 bytes), padding
//   [rsp+8] r15  [rsp+16] r14  [rsp+24] r13  [rsp+32] r12  [rsp+40] rbx  [rsp+48] rbp
//   [rsp+56] return address
// include/tessera/arch/context.hpp builds a new thread's first frame with this layout.

    .section .text.tessera_context_switch, "ax", @progbits
    .balign 16
    .globl tessera_context_switch
    .type tessera_context_switch, @function
tessera_context_switch:
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    subq    $8, %rsp
    stmxcsr (%rsp)
    fnstcw  4(%rsp)
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw   4(%rsp)
    addq    $8, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
    .size tessera_context_switch, . - tessera_context_switch

// A new thread's first frame returns here, with
//   rbx = begin(void), r12 = entry(void*), r13 = its argument, r14 = finish(void) [[noreturn]]
// rbp = 0 ends frame-pointer backtraces; rsp is 16-aligned before each call (§3.2.2).
    .section .text.tessera_context_start, "ax", @progbits
    .balign 16
    .globl tessera_context_start
    .type tessera_context_start, @function
tessera_context_start:
    xorl    %ebp, %ebp
    andq    $-16, %rsp
    call    *%rbx
    movq    %r13, %rdi
    call    *%r12
    call    *%r14
    ud2                             // finish returned: not reached
    .size tessera_context_start, . - tessera_context_start

    .section .note.GNU-stack, "", @progbits
