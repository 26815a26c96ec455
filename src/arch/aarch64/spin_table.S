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

// Parking (every raspi3 image): the firmware's spin loop waits in wfe, and QEMU's wfe does not
// sleep (it only yields), so three cores parked there keep three host threads busy and slow
// core 0 down on a small host. At boot core 0 calls tessera_spin_table_park_cores (MMU off):
// cores 1-3 leave the firmware's loop for tessera_spin_table_park, which waits in wfi (QEMU
// halts the vCPU; a board's core sleeps as in wfe) until its slot holds another address and
// mailbox 3 of the local interrupt controller (BCM2836 ARM-local peripherals, QA7_rev3.4 §4.7,
// §4.8) rings. start_core posts the entry to the same slot as before and rings mailbox 3, so a
// core that has not reached the park yet still finds its entry through the firmware's loop.
    .equ SPIN_TABLE, 0xd8               // the firmware's spin table: 0xd8 + 8·core
    .equ LOCAL_BASE, 0x40000000         // BCM2836 ARM-local peripherals (QA7 §3)
    .equ MAILBOX_INT_CONTROL, 0x50      // QA7 §4.7: Core n mailboxes interrupt control, + 4·n
    .equ MAILBOX3_CLEAR, 0xcc           // QA7 §4.8: Core n mailbox 3 read/write-clear, + 16·n
    .equ PARK_MAILBOX_BIT, 1 << 3       // mailbox 3 routed to the core's IRQ

    .section .text.tessera_spin_table_park, "ax"
    .global tessera_spin_table_park_cores
    .type tessera_spin_table_park_cores, %function
tessera_spin_table_park_cores:          // core 0, MMU off: plain stores reach RAM
    adr     x0, tessera_spin_table_park
    mov     x1, #(SPIN_TABLE + 8)
    str     x0, [x1]
    str     x0, [x1, #8]
    str     x0, [x1, #16]
    dsb     sy
    sev
    ret
    .size tessera_spin_table_park_cores, . - tessera_spin_table_park_cores

    .global tessera_spin_table_park
    .type tessera_spin_table_park, %function
    .balign 8
tessera_spin_table_park:                // cores 1-3, from the firmware's loop: EL2, MMU off
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff             // Aff0: the core number
    mov     x20, #SPIN_TABLE
    add     x20, x20, x19, lsl #3       // this core's slot
    mov     x21, #LOCAL_BASE
    add     x22, x21, #MAILBOX_INT_CONTROL
    add     x22, x22, x19, lsl #2
    mov     w0, #PARK_MAILBOX_BIT       // a pending interrupt ends wfi even while masked at the core
    str     w0, [x22]
    adr     x23, tessera_spin_table_park
1:  ldr     x0, [x20]
    cmp     x0, x23
    b.ne    2f
    wfi
    b       1b
2:  str     wzr, [x22]                  // the controller as the firmware left it
    add     x1, x21, #MAILBOX3_CLEAR
    add     x1, x1, x19, lsl #4
    mov     w2, #-1
    str     w2, [x1]
    mov     x1, xzr                     // as the firmware's loop enters: x0-x3 zero
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, x0
    mov     x0, xzr
    br      x4                          // the entry start_core posted (tessera_spin_table_entry)
    .size tessera_spin_table_park, . - tessera_spin_table_park

    .data
    .balign 64                          // three whole cache lines: cleaned as such
    .global tessera_spin_table_boot
tessera_spin_table_boot:
    .space  192
