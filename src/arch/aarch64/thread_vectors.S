// The exception vector table of images with threads (sched::Cooperative installs it in
// VBAR_EL1 when the application starts, through the platform's threads_started(); the
// synchronous entries of sched::Preemptive's table, preempt_vectors.S, come here too). Images
// without threads keep tessera_vectors and carry none of this (its own sections, dropped by
// --gc-sections).
//
// Why a table of its own: a thread whose stack overflows faults on the unmapped guard page
// below it, and the trap entry of vectors.S would then save its frame on that same stack and
// fault again, forever. Here a synchronous exception of the current EL first switches to
// SP_EL0, which tessera_thread_faults_on() (thread_trap.cpp) points at a stack kept for
// reports, saves the TrapFrame there (with the faulting SP_EL1 as the frame's sp) and calls
// tessera_thread_trap, which names the thread and hands over to tessera_trap's report. Such
// an exception never returns. Every other entry branches to the same entry of tessera_vectors.
// Arm ARM (DDI 0487) §D1.10.2 (vector table), §C5.2.16 (SPSel).

    .equ FRAME_SIZE, 36 * 8   // TrapFrame: x0..x30, sp, elr, spsr, esr, far (trap.cpp)

    .macro forward index
    .balign 0x80
    b       tessera_vectors + \index * 0x80
    .endm

    .macro on_fault_stack kind
    .balign 0x80
    msr     spsel, #0                   // sp is SP_EL0 now: the report stack
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       thread_trap_common
    .endm

    .section .text.tessera_thread_vectors, "ax"
    .balign 0x800
    .global tessera_thread_vectors
tessera_thread_vectors:
    on_fault_stack 0   // current EL, SP_EL0: synchronous
    forward 1
    forward 2
    forward 3
    on_fault_stack 4   // current EL, SP_ELx: synchronous (threads run here)
    forward 5
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

thread_trap_common:
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
    msr     spsel, #1                   // the thread's stack pointer, where it faulted
    mov     x2, sp
    msr     spsel, #0
    stp     x30, x2, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #256]
    mrs     x2, esr_el1
    mrs     x3, far_el1
    stp     x2, x3, [sp, #272]
    mov     x0, sp
    bl      tessera_thread_trap         // does not return
    brk     #1

    .section .note.GNU-stack, "", %progbits
