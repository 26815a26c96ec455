// void tessera_mmu_enable(uint64_t ttbr0, uint64_t mair, uint64_t tcr)
// Turns on the EL1 MMU with identity-mapped tables (include/tessera/arch/aarch64/page_tables.hpp)
// and enables the data and instruction caches. Arm ARM (DDI 0487) §D8.2, §D17.2.118 (SCTLR_EL1).

    .text
    .global tessera_mmu_enable
    .global tessera_mmu_on
    .type tessera_mmu_enable, %function
tessera_mmu_enable:
    msr     mair_el1, x1
    msr     tcr_el1, x2
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1                     // nothing cached from before
    dsb     nsh
    isb
    mrs     x3, sctlr_el1
    mov     x4, #((1 << 0) | (1 << 2) | (1 << 12))   // M: MMU, C: data cache, I: instruction cache
    orr     x3, x3, x4
    orr     x3, x3, #(1 << 19)          // WXN: anything writable is never executable
    msr     sctlr_el1, x3
    isb
tessera_mmu_on:
    ret
    .size tessera_mmu_enable, . - tessera_mmu_enable
