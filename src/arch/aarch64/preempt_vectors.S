// The exception vector table of preemptive schedulers (sched::Preemptive installs it in
// VBAR_EL1 when the application starts; images without one keep tessera_vectors and carry
// none of this: it is in its own sections, dropped by --gc-sections).
//
// Arm ARM (DDI 0487) §D1.10.2: 16 entries of 128 bytes, 2 KiB aligned. The IRQ entry of the
// current EL with SP_ELx (threads run at EL1 on SP_EL1) saves the registers a C++ function may
// clobber (x0–x18, x29, x30) and ELR/SPSR on the interrupted thread's stack and calls the
// function in tessera_irq_hooks[core]. That function may switch threads (tessera_context_switch):
// the interrupted thread then resumes here later, when something switches back to it, and
// returns to where it was with eret. The synchronous entries of the current EL branch to
// tessera_thread_vectors (thread_vectors.S: the report names the thread and runs on a stack
// of its own, so a stack overflow is reported too); every other entry to the same entry of
// tessera_vectors (vectors.S), whose report the faults keep.

    .equ IRQ_FRAME, 192   // x0–x18, x29, x30, ELR, SPSR: 23 words, rounded up to 16 bytes

    .macro forward index
    .balign 0x80
    b       tessera_vectors + \index * 0x80
    .endm

    .section .text.tessera_preempt_vectors, "ax"
    .balign 0x800
    .global tessera_preempt_vectors
tessera_preempt_vectors:
    .balign 0x80
    b       tessera_thread_vectors + 0 * 0x80
    forward 1
    forward 2
    forward 3
    .balign 0x80
    b       tessera_thread_vectors + 4 * 0x80
    .balign 0x80
    b       preempt_irq           // 5: current EL with SP_ELx, IRQ
    forward 6
    forward 7
    forward 8
    forward 9
    forward 10
    forward 11
    forward 12
    forward 13
    forward 14
    forward 15

preempt_irq:
    sub     sp, sp, #IRQ_FRAME
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    stp     x30, x0, [sp, #160]
    str     x1, [sp, #176]
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff               // MPIDR_EL1.Aff0: this core
    adrp    x1, tessera_irq_hooks
    add     x1, x1, :lo12:tessera_irq_hooks
    ldr     x0, [x1, x0, lsl #3]
    blr     x0
    ldr     x1, [sp, #176]
    ldp     x30, x0, [sp, #160]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    ldp     x18, x29, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #IRQ_FRAME
    eret

// void (*tessera_irq_hooks[8])(void): each core's, set by its scheduler before it unmasks IRQs.
    .section .data.tessera_irq_hooks, "aw"
    .balign 8
    .global tessera_irq_hooks
tessera_irq_hooks:
    .fill   8, 8, 0

    .section .note.GNU-stack, "", %progbits
