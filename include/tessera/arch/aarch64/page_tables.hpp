#pragma once
// aarch64 translation tables: identity mapping, 4 KiB granule, the walk starting at level 1,
// so the image's permissions hold: code read-only and executable, everything writable never
// executable, devices uncached, RAM write-back cached, and the lowest addresses (below the
// first device) not mapped at all, so that a null pointer dereference faults.
//
// Two strategies, chosen by a platform option (platform::QemuVirt<{.page_tables = …}>):
//  - CompileTimePageTables: the tables are constexpr data in the image (8 KiB of level-2 tables
//    for devices and the first GiB of RAM, at an address fixed by the linker script, and a
//    64-byte level-1 table: 32-bit addresses, T0SZ=32); boot only points TTBR0 at them. 2 MiB
//    granularity: the read-only block holds the tables, .text and .rodata (all executable);
//    RAM is mapped up to a fixed limit (at most 4 GiB) whatever the machine has. Cost: ~20
//    instructions at boot.
//  - BootTimePageTables: built at boot from the RAM size the platform read from the device
//    tree. 4 KiB granularity in the image: .text executable, .rodata not, an unmapped guard
//    page below the boot stack; RAM mapped exactly (39-bit addresses, T0SZ=25). Cost: 20 KiB of
//    memory outside the image and a few thousand instructions at boot.
// Descriptor formats: Arm ARM (DDI 0487) §D8.3 "Translation table descriptor formats".

#include <cstddef>
#include <cstdint>

extern "C" {
// src/arch/aarch64/mmu.S: loads MAIR/TCR/TTBR0, invalidates the TLB, turns on the MMU and the
// caches. `tessera_mmu_on` is the first instruction run with the MMU on (benchmarks stop there).
void tessera_mmu_enable(std::uint64_t ttbr0, std::uint64_t mair, std::uint64_t tcr);
extern const char __tessera_text_end[], __tessera_ro_end[], __tessera_stack_guard[];  // link.ld
}

namespace tessera::arch::aarch64 {

enum class PageTables { off, compile_time, boot_time };

namespace pt {

using Entry = std::uint64_t;
inline constexpr std::size_t kEntries = 512;
inline constexpr std::uint64_t kPage = 4096, kBlock2M = 2u << 20, kBlock1G = 1u << 30;

// Descriptor bits (DDI 0487 §D8.3.1, §D8.3.2).
inline constexpr Entry kBlock = 0b01, kTable = 0b11, kPageDesc = 0b11;
inline constexpr Entry kAttrDevice = 0u << 2;            // AttrIndx 0 → MAIR Attr0
inline constexpr Entry kAttrNormal = 1u << 2;            // AttrIndx 1 → MAIR Attr1
inline constexpr Entry kReadOnly = 0b10u << 6;           // AP[2:1] = 10: EL1 read-only
inline constexpr Entry kInnerShareable = 0b11u << 8;     // SH[1:0]
inline constexpr Entry kAccessFlag = 1u << 10;           // AF: no access-flag faults
inline constexpr Entry kPrivilegedNoExecute = Entry{1} << 53;  // PXN
inline constexpr Entry kUnprivilegedNoExecute = Entry{1} << 54;  // UXN
inline constexpr Entry kNoExecute = kPrivilegedNoExecute | kUnprivilegedNoExecute;

inline constexpr Entry kDevice = kAttrDevice | kAccessFlag | kNoExecute;
inline constexpr Entry kData = kAttrNormal | kInnerShareable | kAccessFlag | kNoExecute;
inline constexpr Entry kCode = kAttrNormal | kInnerShareable | kAccessFlag | kReadOnly | kUnprivilegedNoExecute;
inline constexpr Entry kReadOnlyData = kAttrNormal | kInnerShareable | kAccessFlag | kReadOnly | kNoExecute;

// MAIR_EL1 (DDI 0487 §D17.2.97): Attr0 Device-nGnRnE, Attr1 Normal write-back
// read/write-allocate (inner and outer).
inline constexpr std::uint64_t kMair = 0x00 | std::uint64_t{0xff} << 8;
// TCR_EL1 (DDI 0487 §D17.2.131): T0SZ=25 (39-bit VA, walk from level 1), walks cached
// write-back (IRGN0=ORGN0=01) and inner shareable (SH0=11), 4 KiB granule (TG0=00), no TTBR1
// walks (EPD1), 40-bit physical addresses (IPS=010, the Cortex-A53's size).
inline constexpr std::uint64_t kTcr = 25 | 0b01u << 8 | 0b01u << 10 | 0b11u << 12 | 0b00u << 14 | 1u << 23 |
                                      std::uint64_t{0b010} << 32;
// The same with T0SZ=32: 32-bit VA, still walked from level 1, whose table then has 4 entries
// (DDI 0487 §D8.2.6, "Translation table walk starting level": 4 KiB granule, T0SZ 25–33).
inline constexpr std::uint64_t kTcr32BitVa = (kTcr & ~std::uint64_t{0x3f}) | 32;

struct alignas(4096) Table {
  Entry entries[kEntries];
};

}  // namespace pt

// Where things are, for one platform (all identity-mapped physical addresses).
struct MemoryLayout {
  std::uint64_t device_begin;    // [0, device_begin): not mapped, so a null pointer faults (2 MiB-aligned)
  std::uint64_t device_end;      // [device_begin, device_end): MMIO, device memory (2 MiB blocks; within the first GiB)
  std::uint64_t ram_base;        // a 1 GiB-aligned start of RAM
  std::uint64_t ro_block;        // 2 MiB block holding page tables, .text, .rodata (link.ld)
  std::uint64_t rw_block;        // 2 MiB block where .data, .bss and the boot stack start (link.ld)
  std::uint64_t static_ram_end;  // how far compile-time tables map RAM
};

// ------------------------------------------------------------------------ compile time

template <MemoryLayout L>
struct CompileTimePageTables {
  static_assert(L.ram_base % pt::kBlock1G == 0 && L.ro_block % pt::kBlock2M == 0 && L.rw_block % pt::kBlock2M == 0,
                "CompileTimePageTables: ram_base must be 1 GiB-aligned, ro_block and rw_block 2 MiB-aligned");
  static_assert(L.ro_block >= L.ram_base && L.ro_block < L.ram_base + pt::kBlock1G && L.rw_block > L.ro_block,
                "CompileTimePageTables: the image blocks must lie in the first GiB of RAM, read-only first");
  static_assert(L.device_begin % pt::kBlock2M == 0 && L.device_begin < L.device_end && L.device_end <= pt::kBlock1G &&
                    L.ram_base >= pt::kBlock1G && L.static_ram_end <= 4 * pt::kBlock1G,
                "CompileTimePageTables: devices must lie in the first GiB (device_begin 2 MiB-aligned), RAM after "
                "it and below 4 GiB (32-bit addresses)");

  struct Tables {
    pt::Table devices;  // the first GiB: nothing below device_begin, then devices, 2 MiB blocks
    pt::Table ram;      // the first GiB of RAM, 2 MiB blocks
  };
  struct alignas(64) Root {  // level 1 with T0SZ=32: one entry per GiB of the 4 GiB address space
    pt::Entry entries[4];
  };

  // The tables sit at the start of the read-only block (link.ld's .page_tables comes first),
  // so the level-1 entries can hold the level-2 tables' addresses as constants.
  static constexpr std::uint64_t address = L.ro_block;

  static constexpr Tables make() {
    Tables t{};
    for (std::uint64_t a = L.device_begin; a < L.device_end; a += pt::kBlock2M)
      t.devices.entries[a / pt::kBlock2M] = a | pt::kDevice | pt::kBlock;
    for (std::size_t i = 0; i < pt::kEntries; ++i) {
      const std::uint64_t a = L.ram_base + i * pt::kBlock2M;
      const bool code = a >= L.ro_block && a < L.rw_block;
      t.ram.entries[i] = a | (code ? pt::kCode : pt::kData) | pt::kBlock;
    }
    return t;
  }

  static constexpr Root make_root() {
    Root r{};
    r.entries[0] = address | pt::kTable;
    r.entries[L.ram_base / pt::kBlock1G] = (address + sizeof(pt::Table)) | pt::kTable;
    for (std::uint64_t a = L.ram_base + pt::kBlock1G; a < L.static_ram_end; a += pt::kBlock1G)
      r.entries[a / pt::kBlock1G] = a | pt::kData | pt::kBlock;
    return r;
  }

  // link.ld places `tables` first in the read-only block by its name (g++ ignores section
  // attributes on members of class templates); `root` is ordinary read-only data.
  static constexpr Tables tables = make();
  static constexpr Root root = make_root();

  // Returns false (MMU left off) if the linker did not put the tables where make() assumed.
  static bool enable() {
    if (reinterpret_cast<std::uint64_t>(&tables) != address) return false;
    tessera_mmu_enable(reinterpret_cast<std::uint64_t>(&root), pt::kMair, pt::kTcr32BitVa);
    return true;
  }

  static constexpr std::uint64_t mapped_ram_end(std::uint64_t ram_end) {
    return ram_end < L.static_ram_end ? ram_end : L.static_ram_end;
  }
};

// ------------------------------------------------------------------------ boot time

namespace detail {
struct BootTables {
  pt::Table level1, devices, level2, code_pages, data_pages;  // level 3 for the two image blocks
};
inline BootTables boot_tables [[gnu::section(".tessera.boot_page_tables")]];

// Zeroes all tables, 64 bytes a step (a plain loop would become a memset call, and
// picolibc's memset may use DC ZVA, which faults on device memory: the MMU is still off).
inline void zero(BootTables& t) {
  auto* p = &t;
  asm volatile(
      "1: stp xzr, xzr, [%0], #16\n\t"
      "stp xzr, xzr, [%0], #16\n\t"
      "stp xzr, xzr, [%0], #16\n\t"
      "stp xzr, xzr, [%0], #16\n\t"
      "cmp %0, %1\n\t"
      "b.lo 1b"
      : "+r"(p)
      : "r"(&t + 1)
      : "memory", "cc");
}

// entries[first_index …] = address | attributes for [begin, end) in steps of `step`.
inline void map(pt::Entry* entries, std::uint64_t table_base, std::uint64_t step, std::uint64_t begin,
                std::uint64_t end, pt::Entry attributes) {
  for (std::uint64_t a = begin; a < end; a += step) entries[(a - table_base) / step] = a | attributes;
}
}  // namespace detail

template <MemoryLayout L>
struct BootTimePageTables {
  // RAM past the end of the first GiB is mapped in whole GiBs, inside it in whole 2 MiB blocks.
  static constexpr std::uint64_t mapped_ram_end(std::uint64_t ram_end) {
    const std::uint64_t first_gib_end = L.ram_base + pt::kBlock1G;
    if (ram_end > first_gib_end) return ram_end & ~(pt::kBlock1G - 1);
    return ram_end & ~(pt::kBlock2M - 1);
  }

  static bool enable(std::uint64_t ram_end) {
    using namespace pt;
    using detail::map;
    auto& t = detail::boot_tables;
    const std::uint64_t mapped = mapped_ram_end(ram_end);
    const std::uint64_t first_gib_end = L.ram_base + kBlock1G;
    const auto text_end = reinterpret_cast<std::uint64_t>(__tessera_text_end);
    const auto ro_end = (reinterpret_cast<std::uint64_t>(__tessera_ro_end) + kPage - 1) & ~(kPage - 1);
    const auto guard = reinterpret_cast<std::uint64_t>(__tessera_stack_guard);
    const std::uint64_t rw_block_end = L.rw_block + kBlock2M < mapped ? L.rw_block + kBlock2M : mapped;

    detail::zero(t);
    // Level 1: devices and the first GiB of RAM through level 2, further RAM in 1 GiB blocks.
    static_assert(L.device_begin % kBlock2M == 0 && L.device_begin < L.device_end && L.device_end <= kBlock1G &&
                      L.ram_base >= kBlock1G,
                  "BootTimePageTables: devices must lie in the first GiB (device_begin 2 MiB-aligned), RAM after it");
    t.level1.entries[0] = reinterpret_cast<std::uint64_t>(&t.devices) | kTable;
    map(t.devices.entries, 0, kBlock2M, L.device_begin, L.device_end, kDevice | kBlock);  // nothing below device_begin
    map(t.level1.entries, 0, kBlock1G, first_gib_end, mapped, kData | kBlock);
    t.level1.entries[L.ram_base / kBlock1G] = reinterpret_cast<std::uint64_t>(&t.level2) | kTable;
    // Level 2: RAM in 2 MiB blocks, the image's two blocks through level 3.
    map(t.level2.entries, L.ram_base, kBlock2M, L.ram_base, mapped < first_gib_end ? mapped : first_gib_end,
        kData | kBlock);
    t.level2.entries[(L.ro_block - L.ram_base) / kBlock2M] = reinterpret_cast<std::uint64_t>(&t.code_pages) | kTable;
    t.level2.entries[(L.rw_block - L.ram_base) / kBlock2M] = reinterpret_cast<std::uint64_t>(&t.data_pages) | kTable;
    // Level 3: .text executable, .rodata (and the rest of the image's read-only part) not.
    map(t.code_pages.entries, L.ro_block, kPage, L.ro_block, text_end, kCode | kPageDesc);
    map(t.code_pages.entries, L.ro_block, kPage, text_end, ro_end, kReadOnlyData | kPageDesc);
    // Level 3: data, .bss, stack and the start of the heap; the guard page stays unmapped.
    map(t.data_pages.entries, L.rw_block, kPage, L.rw_block, guard, kData | kPageDesc);
    map(t.data_pages.entries, L.rw_block, kPage, guard + kPage, rw_block_end, kData | kPageDesc);

    // Written with the MMU and caches off: drop any stale cached copy before the walker,
    // which reads through the cache (TCR: write-back walks), looks at them.
    for (auto p = reinterpret_cast<std::uint64_t>(&t); p < reinterpret_cast<std::uint64_t>(&t + 1); p += 64)
      asm volatile("dc ivac, %0" ::"r"(p) : "memory");  // 64: the Cortex-A53's cache line
    asm volatile("dsb sy" ::: "memory");
    tessera_mmu_enable(reinterpret_cast<std::uint64_t>(&t.level1), kMair, kTcr);
    return true;
  }
};

}  // namespace tessera::arch::aarch64
