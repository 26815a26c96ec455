// Where a secondary core starts (PSCI CPU_ON on qemu-virt; the spin table on the Raspberry Pi
// 3): MMU off, at EL2 or EL1, x0 = the address of a tessera_secondary_boot record
// (include/tessera/arch/aarch64/smp.hpp) that the starting core wrote and cleaned to the
// point of coherency. Drops to EL1 if needed, takes core 0's translation tables, SCTLR,
// vectors and thread pointer, sets the stack and calls entry(core); entry never returns.
// Register names and fields: Arm Architecture Reference Manual for A-profile (DDI 0487).
// In its own section: images that start no other core drop it (--gc-sections).

#include "el2_to_el1.inc"

    .equ BOOT_STACK_TOP, 0
    .equ BOOT_ENTRY, 8
    .equ BOOT_CORE, 16
    .equ BOOT_TTBR0, 24
    .equ BOOT_MAIR, 32
    .equ BOOT_TCR, 40
    .equ BOOT_SCTLR, 48
    .equ BOOT_TPIDR, 56
    .equ BOOT_VBAR, 64
    .equ BOOT_STARTED, 72

    .section .text.tessera_secondary_entry, "ax"
    .balign 8
    .global tessera_secondary_entry
    .type tessera_secondary_entry, %function
tessera_secondary_entry:
    mov     x19, x0                     // the boot record
    mrs     x1, CurrentEL
    ubfx    x1, x1, #2, #2
    cmp     x1, #2
    b.ne    1f
    drop_to_el1 x1, 1f                 // its SCTLR_EL1 is replaced by core 0's below
1:
    ldr     x1, [x19, #BOOT_STACK_TOP]
    mov     sp, x1
    ldr     x1, [x19, #BOOT_VBAR]
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)              // CPACR_EL1.FPEN: no FP/SIMD traps
    msr     cpacr_el1, x1
    ldr     x1, [x19, #BOOT_TPIDR]
    msr     tpidr_el0, x1
    ldr     x1, [x19, #BOOT_MAIR]
    msr     mair_el1, x1
    ldr     x1, [x19, #BOOT_TCR]
    msr     tcr_el1, x1
    ldr     x1, [x19, #BOOT_TTBR0]
    msr     ttbr0_el1, x1
    isb
    tlbi    vmalle1                     // nothing cached from before this core was started
    dsb     nsh
    isb
    ldr     x1, [x19, #BOOT_SCTLR]      // core 0's: MMU, caches and WXN as it has them
    msr     sctlr_el1, x1
    isb
    ldr     x20, [x19, #BOOT_ENTRY]
    ldr     x21, [x19, #BOOT_CORE]
    mov     x1, #1                      // tell the starting core the record is free again
    add     x2, x19, #BOOT_STARTED
    stlr    x1, [x2]
    sev
    mov     x0, x21
    mov     x29, xzr                    // end of the frame-pointer chain for backtraces
    mov     x30, xzr
    blr     x20
2:  wfi                                 // entry does not return; if it did, park here
    b       2b
    .size tessera_secondary_entry, . - tessera_secondary_entry

    .section .note.GNU-stack, "", %progbits
