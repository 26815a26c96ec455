// floor: the least an image can do and still look like hello to the boot benchmark
// (tests/bench/boot.py). It writes hello's first console line, byte for byte as the PL011
// console sends it ("\n" goes out as "\r\n"), to the PL011 data register and exits with
// status 0 through semihosting. No stack, no .bss, no C library: the wall time QEMU takes to
// boot it is the floor under any image's boot time, so the benchmark reports hello minus it.
// For qemu-virt-aarch64 (PL011 at 0x09000000) and, assembled with FLOOR_RASPI3, raspi3 (the
// PL011 at 0x3F201000, linked at 0x80000 by link-raspi3.ld); QEMU's PL011 needs no set-up and
// never reports a full FIFO, so there is no initialisation and no polling of UARTFR.

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
#if defined(FLOOR_RASPI3)
    ldr     x0, =0x3f201000             // PL011 UARTDR (BCM2835 ARM Peripherals §13, bus 0x7E201000)
#else
    mov     x0, #0x09000000             // PL011 UARTDR (QEMU hw/arm/virt.c base_memmap[VIRT_UART])
#endif
    adr     x1, message
    mov     x2, #(message_end - message)
1:  ldrb    w3, [x1], #1
    str     w3, [x0]
    subs    x2, x2, #1
    b.ne    1b

    // Arm semihosting v3: SYS_EXIT (0x18) with x1 -> {ADP_Stopped_ApplicationExit, status}.
    mov     x0, #0x18
    adr     x1, exit_block
    .global floor_exit                  // boot.py counts instructions up to here (insn-until)
    .type floor_exit, %function
floor_exit:
    hlt     #0xf000
2:  wfe                                 // only reached without -semihosting (HLT traps instead)
    b       2b
    .size _start, . - _start

    .balign 8
exit_block:
    .quad   0x20026                     // ADP_Stopped_ApplicationExit
    .quad   0                           // exit status
message:
    .ascii  "Hello from tessera\r\n"
message_end:
    .ltorg

    .section .note.GNU-stack, "", %progbits
