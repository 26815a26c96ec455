#pragma once
// Guard pages on aarch64: one 4 KiB page unmapped in the live translation tables (and mapped
// again), for the unmapped page below each thread stack (sched::Cooperative/Preemptive, through
// the platform's unmap_guard_page/remap_guard_page). Works on the identity-mapped tables of
// page_tables.hpp, whichever strategy built them, by walking from TTBR0_EL1:
//  - a page inside a 2 MiB block: the block is split first into a level-3 table of 512 pages
//    with the block's attributes (a 4 KiB table the caller supplies, kept for good);
//  - compile-time tables are read-only data: on first use they are copied (the level-1 root
//    and the RAM's level-2 table, 4 KiB + 64 bytes of .bss, with the image's read-write block
//    already split into pages) and TTBR0 points at the copy from then on.
// TLB maintenance uses the inner-shareable forms (TLBI VAE1IS, VMALLE1IS; DSB ISH), so cores
// that share these tables drop the old entries too. Replacing a block by a table is
// break-before-make (Arm ARM DDI 0487 §D8.14.1 "Using break-before-make when updating
// translation table entries"): the entry is invalid for a moment, so that step runs with all
// exceptions masked and touches no memory but the entry (another core touching that 2 MiB
// meanwhile would fault: split before starting other cores' threads there).
// Only RAM in the first GiB of RAM is covered (2 MiB blocks under a level-1 table); a page
// beyond it gives Error::not_supported. Cost: nothing in images without threads; per guard page
// one entry write and one TLB invalidation, the first in a 2 MiB block also 512 entry writes.

#include <cstdint>

#include "tessera/arch/aarch64/page_tables.hpp"
#include "tessera/result.hpp"

namespace tessera::arch::aarch64::guard {

using pt::Entry;

// Output address of a descriptor (bits [47:12], DDI 0487 §D8.3.1), and its attributes.
inline constexpr Entry kAddressMask = 0x0000'ffff'ffff'f000;
inline constexpr Entry kBlockAddressMask = 0x0000'ffff'ffe0'0000;  // level-2 block: bits [47:21]
inline constexpr Entry kTypeMask = 0b11;

inline Entry* table_at(Entry descriptor) { return reinterpret_cast<Entry*>(descriptor & kAddressMask); }

inline Entry* root() {
  std::uint64_t ttbr0;
  asm volatile("mrs %0, ttbr0_el1" : "=r"(ttbr0));
  return reinterpret_cast<Entry*>(ttbr0 & 0x0000'ffff'ffff'ffc0);  // BADDR; the root is ≥ 64-byte aligned
}

// The level-2 entry mapping `va` (a table's or a block's), nullptr if level 1 maps it otherwise.
inline Entry* level2_entry(std::uint64_t va) {
  const Entry l1 = root()[va >> 30];
  if ((l1 & kTypeMask) != pt::kTable) return nullptr;
  return &table_at(l1)[(va >> 21) & (pt::kEntries - 1)];
}

// A 2 MiB block as 512 pages with its attributes, in `table` (4 KiB, 4 KiB-aligned).
inline void fill_pages(Entry block, pt::Table& table) {
  const Entry attributes = block & ~(kBlockAddressMask | kTypeMask);
  const Entry base = block & kBlockAddressMask;
  for (std::uint64_t i = 0; i < pt::kEntries; ++i) table.entries[i] = (base + i * pt::kPage) | attributes | pt::kPageDesc;
}

// Break-before-make of one entry: invalid, TLB entries for `va` dropped everywhere, then the
// new one. All exceptions masked and no memory touched but the entry: the range may be this
// very stack.
inline void replace(Entry* entry, Entry replacement, std::uint64_t va) {
  std::uint64_t daif;
  asm volatile(
      "mrs %[daif], daif\n\t"
      "msr daifset, #0xf\n\t"
      "dsb ishst\n\t"  // the new table's entries are visible to walkers before it is linked
      "str xzr, [%[entry]]\n\t"
      "dsb ishst\n\t"
      "tlbi vae1is, %[page]\n\t"
      "dsb ish\n\t"
      "str %[replacement], [%[entry]]\n\t"
      "dsb ishst\n\t"
      "isb\n\t"
      "msr daif, %[daif]"
      : [daif] "=&r"(daif)
      : [entry] "r"(entry), [replacement] "r"(replacement), [page] "r"(va >> 12)
      : "memory");
}

// Writable copies of compile-time tables (see the top).
struct alignas(4096) WritableTables {
  pt::Table level2;    // the first GiB of RAM
  pt::Table rw_pages;  // the 2 MiB holding the image's read-write part, as pages
  alignas(64) Entry root[4];
};
inline WritableTables writable;
inline bool copied = false;

// Copies compile-time tables (T0SZ=32: a 4-entry root) and switches TTBR0 to the copy. The
// copy maps everything exactly as before, so the switch needs no break: the old entries are
// dropped after it. `rw_block`: an address in the 2 MiB that holds the image's read-write part
// (a block, split here, or a level-3 table, copied here).
inline void copy_compile_time_tables(std::uint64_t ram_base, std::uint64_t rw_block) {
  const Entry* old_root = root();
  for (int i = 0; i < 4; ++i) writable.root[i] = old_root[i];
  const Entry* old_level2 = table_at(old_root[ram_base >> 30]);
  for (std::uint64_t i = 0; i < pt::kEntries; ++i) writable.level2.entries[i] = old_level2[i];
  const std::uint64_t rw_index = (rw_block - ram_base) >> 21;
  const Entry rw_entry = writable.level2.entries[rw_index];
  if ((rw_entry & kTypeMask) == pt::kBlock) {
    fill_pages(rw_entry, writable.rw_pages);
  } else {  // already pages (the read-write part shares its 2 MiB with the read-only one): copy them
    const Entry* pages = table_at(rw_entry);
    for (std::uint64_t i = 0; i < pt::kEntries; ++i) writable.rw_pages.entries[i] = pages[i];
  }
  writable.level2.entries[rw_index] = reinterpret_cast<Entry>(&writable.rw_pages) | pt::kTable;
  writable.root[ram_base >> 30] = reinterpret_cast<Entry>(&writable.level2) | pt::kTable;
  asm volatile(
      "dsb ishst\n\t"
      "msr ttbr0_el1, %0\n\t"
      "isb\n\t"
      "tlbi vmalle1is\n\t"
      "dsb ish\n\t"
      "isb" ::"r"(reinterpret_cast<std::uint64_t>(writable.root))
      : "memory");
  copied = true;
}

// Whether unmapping the page at `va` needs a new level-3 table (its 2 MiB are one block).
inline bool needs_table(std::uint64_t va) {
  const Entry* l2 = level2_entry(va);
  return l2 && (*l2 & kTypeMask) == pt::kBlock;
}

// Unmaps the 4 KiB page at `va`; `table` is a fresh 4 KiB-aligned table when needs_table(va).
inline Result<void> unmap(std::uint64_t va, void* table) {
  Entry* l2 = level2_entry(va);
  if (!l2 || (*l2 & 1) == 0) return fail(Error::not_supported);
  if ((*l2 & kTypeMask) == pt::kBlock) {
    if (!table) return fail(Error::invalid_argument);
    auto& pages = *static_cast<pt::Table*>(table);
    fill_pages(*l2, pages);
    replace(l2, reinterpret_cast<Entry>(&pages) | pt::kTable, va);
  }
  Entry* page = &table_at(*l2)[(va >> 12) & (pt::kEntries - 1)];
  *page = 0;
  asm volatile(
      "dsb ishst\n\t"
      "tlbi vae1is, %0\n\t"
      "dsb ish\n\t"
      "isb" ::"r"(va >> 12)
      : "memory");
  return {};
}

// Maps the page at `va` again as read-write data (it was unmapped by unmap()). An invalid
// entry is never in a TLB, so making it valid needs no invalidation.
inline void remap(std::uint64_t va) {
  Entry* l2 = level2_entry(va);
  if (!l2 || (*l2 & kTypeMask) != pt::kTable) return;
  table_at(*l2)[(va >> 12) & (pt::kEntries - 1)] = (va & kAddressMask) | pt::kData | pt::kPageDesc;
  asm volatile("dsb ishst\n\tisb" ::: "memory");
}

}  // namespace tessera::arch::aarch64::guard
