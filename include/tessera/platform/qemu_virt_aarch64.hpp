#pragma once
// platform::QemuVirtAarch64 — QEMU's `virt` machine with a Cortex-A53
// (qemu-system-aarch64 -M virt -cpu cortex-a53). The default platform.
//
// Console: the first PL011; clock: the generic timer; RAM: from 0x40000000, its size read once
// from the device tree QEMU places at the start of RAM; exit: semihosting SYS_EXIT (status
// reaches the host) or PSCI SYSTEM_OFF. Start-up, vectors and linker script live in
// src/arch/aarch64/ and platforms/qemu-virt-aarch64/.
// Cost: the device-tree walk at boot (a few thousand instructions), nothing else.

#include <cstdint>

#include "tessera/api/platform.hpp"
#include "tessera/arch/aarch64/generic_timer.hpp"
#include "tessera/arch/aarch64/power.hpp"
#include "tessera/drivers/pl011.hpp"
#include "tessera/lib/fdt.hpp"
#include "tessera/lib/format.hpp"

namespace tessera::platform {

struct QemuVirtAarch64 {
  static constexpr const char* name = "platform::QemuVirtAarch64";
  // QEMU hw/arm/virt.c base_memmap[VIRT_UART]: the first PL011.
  static constexpr std::uintptr_t uart0_base = 0x0900'0000;
  // QEMU hw/arm/virt.c base_memmap[VIRT_MEM]: RAM starts at 1 GiB; for an ELF image linked
  // above it, QEMU (hw/arm/boot.c) loads the device tree at this address.
  static constexpr std::uintptr_t ram_base = 0x4000'0000;
  // Used if the device tree is missing or malformed: the smallest RAM the runner gives (-m 64M).
  static constexpr std::uint64_t fallback_ram_bytes = 64u << 20;

  using console = drivers::Pl011<{.base = uart0_base}>;
  using clock = arch::aarch64::GenericTimer;

  static void early_init() { console::init(); }

  static MemoryRegion free_memory() {
    std::uint64_t ram_end = ram_base + fallback_ram_bytes;
    if (auto memory = lib::fdt::find_memory(reinterpret_cast<const void*>(ram_base)); memory.ok())
      ram_end = memory.value().base + memory.value().size;
    else
      warn("no usable /memory node in the device tree; assuming 64 MiB of RAM\n");
    return {__tessera_heap_start, reinterpret_cast<std::byte*>(ram_end)};
  }

  static void run_constructors() { tessera_run_constructors(); }

  [[noreturn]] static void exit(int status) {
    arch::aarch64::semihosting_exit(status);
    if (status != 0) {  // without semihosting the status cannot reach the host: say it
      char text[24];
      const auto n = lib::format_decimal(text, status);
      warn("exit status ");
      console::write(text, n);
      console::write("\n", 1);
    }
    arch::aarch64::psci_system_off();
  }

 private:
  static void warn(const char* text) {
    console::write("tessera: ", 9);
    console::write(text, lib::length(text));
  }
};

static_assert(api::Platform<QemuVirtAarch64>);

}  // namespace tessera::platform
