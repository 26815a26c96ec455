// Entry of a secondary core released from a spin table (the Raspberry Pi 3: the firmware's
// armstub8, or QEMU's boot stub, waits at EL2 with the MMU off until 0xd8 + 8·core holds an
// address, then branches there with x0-x3 zero, so nothing can be passed in a register).
// platform::Raspi3Board::start_core fills tessera_spin_table_boot with core 0's MMU and vector
// set-up and the core's stack and entry, cleans it to the point of coherency (this core reads
// it with its MMU and caches off), then writes this function's address to the spin table.
// Cache coherency between the cores needs CPUECTLR_EL1.SMPEN, which armstub8 sets for every
// core before it drops to EL2.
// Here: drop from EL2 to EL1 as start.S does, turn on the MMU and caches with core 0's
// tables, FP/SIMD on, vectors and thread pointer as core 0's, SP = the stack given, and call
// entry(core) with IRQs masked. If it returns, the core waits for events forever.
// Register names and fields: Arm Architecture Reference Manual for A-profile (DDI 0487).

#include "el2_to_el1.inc"

    // tessera_spin_table_boot's layout (include/tessera/platform/raspi3.hpp, SecondaryBoot)
    .equ BOOT_MAIR, 0
    .equ BOOT_TCR, 8
    .equ BOOT_TTBR0, 16
    .equ BOOT_SCTLR, 24
    .equ BOOT_VBAR, 32
    .equ BOOT_TPIDR, 40
    .equ BOOT_STACK, 48                 // one per core
    .equ BOOT_ENTRY, 80                 // one per core
    .equ BOOT_STARTED, 112              // one per core: set once the core runs on its own

    // In its own section: images that start no other core drop it (--gc-sections).
    .section .text.tessera_spin_table_entry, "ax"
    .global tessera_spin_table_entry
    .type tessera_spin_table_entry, %function
    .balign 8
tessera_spin_table_entry:
    msr     daifset, #0xf               // whatever the stub left: no exception until entry() wants one
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff             // Aff0: the core number
    mrs     x0, CurrentEL
    ubfx    x0, x0, #2, #2              // CurrentEL.EL
    cmp     x0, #2
    b.ne    1f

    drop_to_el1 x0, 1f

1:  adrp    x20, tessera_spin_table_boot
    add     x20, x20, :lo12:tessera_spin_table_boot
    ldr     x0, [x20, #BOOT_MAIR]
    msr     mair_el1, x0
    ldr     x0, [x20, #BOOT_TCR]
    msr     tcr_el1, x0
    ldr     x0, [x20, #BOOT_TTBR0]
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1                     // nothing cached from before
    dsb     nsh
    isb
    ldr     x0, [x20, #BOOT_SCTLR]      // core 0's: MMU, caches, WXN on
    msr     sctlr_el1, x0
    isb
    mov     x0, #(3 << 20)              // CPACR_EL1.FPEN: no FP/SIMD traps
    msr     cpacr_el1, x0
    ldr     x0, [x20, #BOOT_VBAR]
    msr     vbar_el1, x0
    ldr     x0, [x20, #BOOT_TPIDR]
    msr     tpidr_el0, x0
    isb
    add     x1, x20, #BOOT_STACK
    ldr     x0, [x1, x19, lsl #3]
    mov     sp, x0
    add     x1, x20, #BOOT_ENTRY
    ldr     x1, [x1, x19, lsl #3]
    add     x2, x20, #BOOT_STARTED      // tell the starting core: up, and done with the block
    mov     x3, #1
    add     x2, x2, x19, lsl #3
    stlr    x3, [x2]
    sev
    mov     x0, x19
    mov     x29, xzr                    // end of the frame-pointer chain for backtraces
    mov     x30, xzr
    blr     x1                          // entry(core): a pointer by nature (the allow-list names this function)
2:  wfe
    b       2b
    .size tessera_spin_table_entry, . - tessera_spin_table_entry

    .data
    .balign 64                          // three whole cache lines: cleaned as such
    .global tessera_spin_table_boot
tessera_spin_table_boot:
    .space  192
