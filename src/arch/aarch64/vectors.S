// The EL1 exception vector table (Arm ARM DDI 0487, §D1.10.2: 16 entries of 128 bytes,
// 2 KiB aligned). Every entry saves the full register state as a TrapFrame on the current
// stack and calls tessera_trap(frame, kind). If it returns (only for the semihosting probe),
// the possibly modified frame is restored and execution resumes at frame->elr.
// TrapFrame layout (src/arch/aarch64/trap.hpp): x0..x30, sp, elr, spsr, esr, far = 36 words.

    .equ FRAME_SIZE, 36 * 8

    .macro vector kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       trap_common
    .endm

    .section .text.vectors, "ax"
    .balign 0x800
    .global tessera_vectors
tessera_vectors:
    vector 0   // current EL, SP_EL0: synchronous
    vector 1   //                    IRQ
    vector 2   //                    FIQ
    vector 3   //                    SError
    vector 4   // current EL, SP_ELx: synchronous
    vector 5   //                    IRQ
    vector 6   //                    FIQ
    vector 7   //                    SError
    vector 8   // lower EL, AArch64: synchronous
    vector 9   //                    IRQ
    vector 10  //                    FIQ
    vector 11  //                    SError
    vector 12  // lower EL, AArch32: synchronous
    vector 13  //                    IRQ
    vector 14  //                    FIQ
    vector 15  //                    SError

trap_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    add     x2, sp, #FRAME_SIZE         // the stack pointer before the trap
    stp     x30, x2, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #256]
    mrs     x2, esr_el1
    mrs     x3, far_el1
    stp     x2, x3, [sp, #272]
    mov     x0, sp
    bl      tessera_trap
    ldp     x2, x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret
