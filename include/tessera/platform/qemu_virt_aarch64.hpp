#pragma once
// platform::QemuVirtAarch64 — QEMU's `virt` machine with a Cortex-A53
// (qemu-system-aarch64 -M virt -cpu cortex-a53). The default platform.
//
// Console: the first PL011; clock: the generic timer; wall clock: the PL031 RTC; RAM: from 0x40000000, its size read once
// from the device tree QEMU places at the start of RAM; exit: semihosting SYS_EXIT (status
// reaches the host) or PSCI SYSTEM_OFF; interrupt controller: GICv2; timer: the generic
// timer's virtual timer (PPI 27), which wakes idle_until's wfi; SMP (-smp N, up to 8 cores):
// start_core through PSCI CPU_ON, wake_core with SGI 0 (sched::PerCore). Start-up, vectors and linker
// script live in src/arch/aarch64/ and platforms/qemu-virt-aarch64/.
// Threads: an unmapped guard page below each thread stack, and fault reports that name the
// thread (threads_started, unmap_guard_page: used by the blocking schedulers only).
// Cost: the device-tree walk at boot (a few thousand instructions), nothing else; the GIC is
// set up only by the first idle_until.

#include <cstdint>

#include "tessera/api/interrupt_controller.hpp"
#include "tessera/api/platform.hpp"
#include "tessera/arch/aarch64/generic_timer.hpp"
#include "tessera/arch/aarch64/guard_pages.hpp"
#include "tessera/arch/aarch64/page_tables.hpp"
#include "tessera/arch/aarch64/power.hpp"
#include "tessera/arch/aarch64/smp.hpp"
#include "tessera/drivers/gicv2.hpp"
#include "tessera/drivers/pl011.hpp"
#include "tessera/drivers/pl031.hpp"
#include "tessera/drivers/virtio/mmio.hpp"
#include "tessera/lib/fdt.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/exit_status.hpp"
#include "tessera/result.hpp"
#include "tessera/sync/spinlock.hpp"

extern "C" void tessera_thread_faults_on(const void* scheduler_core);  // src/arch/aarch64/thread_trap.cpp

namespace tessera::platform {

struct QemuVirtOptions {
  // Translation tables: compile_time (default: fastest boot), boot_time (exact RAM, 4 KiB
  // permissions, stack guard page) or off (MMU and caches off: everything is device memory).
  arch::aarch64::PageTables page_tables = arch::aarch64::PageTables::compile_time;
};

template <QemuVirtOptions Options = QemuVirtOptions{}>
struct QemuVirt {
  static constexpr const char* name = "platform::QemuVirtAarch64";
  static constexpr QemuVirtOptions options = Options;
  // QEMU hw/arm/virt.c base_memmap[VIRT_UART]: the first PL011.
  static constexpr std::uintptr_t uart0_base = 0x0900'0000;
  // QEMU hw/arm/virt.c base_memmap[VIRT_RTC]: a PL031 real-time clock.
  static constexpr std::uintptr_t rtc_base = 0x0901'0000;
  // QEMU hw/arm/virt.c base_memmap[VIRT_MEM]: RAM starts at 1 GiB; for an ELF image linked
  // above it, QEMU (hw/arm/boot.c) loads the device tree at this address.
  static constexpr std::uintptr_t ram_base = 0x4000'0000;
  // Used if the device tree is missing or malformed: the smallest RAM the runner gives (-m 64M).
  static constexpr std::uint64_t fallback_ram_bytes = 64u << 20;
  // QEMU hw/arm/virt.c base_memmap[VIRT_FLASH]: two 64 MiB flash banks at 0, which tessera does
  // not use. Left unmapped, so that a null pointer dereference faults instead of reading flash.
  static constexpr std::uintptr_t flash_end = 0x0800'0000;
  // Everything from there to RAM is MMIO (GIC, UART, RTC, virtio-mmio); the image's two 2 MiB
  // blocks are fixed by platforms/qemu-virt-aarch64/link.ld (TESSERA_RO_BLOCK, TESSERA_RW_BLOCK).
  static constexpr arch::aarch64::MemoryLayout layout{.device_begin = flash_end,
                                                      .device_end = ram_base,
                                                      .ram_base = ram_base,
                                                      .ro_block = 0x4020'0000,
                                                      .rw_block = 0x4040'0000,
                                                      .static_ram_end = 0x1'0000'0000};

  // QEMU hw/arm/virt.c: base_memmap[VIRT_MMIO] = {0x0a000000, 0x200} (one register window
  // per transport), NUM_VIRTIO_TRANSPORTS = 32, a15irqmap[VIRT_MMIO] = 16 (SPI 16 + slot, GIC
  // interrupt ID 32 + 16 + slot). QEMU gives the first -device the highest slot.
  static constexpr drivers::virtio::MmioSlots virtio_mmio{.base = 0x0a00'0000, .stride = 0x200, .count = 32,
                                                          .first_irq = 32 + 16};
  // QEMU hw/arm/virt.c base_memmap[VIRT_GIC_DIST], [VIRT_GIC_CPU]: GICv2 (the default gic-version).
  static constexpr std::uintptr_t gic_distributor_base = 0x0800'0000;
  static constexpr std::uintptr_t gic_cpu_interface_base = 0x0801'0000;

  using console = drivers::Pl011<{.base = uart0_base}>;
  using clock = arch::aarch64::GenericTimer;
  using wall_clock = drivers::Pl031<{.base = rtc_base}>;  // std::chrono::system_clock
  using interrupt_controller =
      drivers::GicV2<{.distributor = gic_distributor_base, .cpu_interface = gic_cpu_interface_base}>;
  using timer = arch::aarch64::GenericTimer;  // its virtual timer, interrupt timer::irq

  static void early_init() {
    using arch::aarch64::PageTables;
    console::init();
    if constexpr (Options.page_tables == PageTables::compile_time) {
      // The tables do not depend on the RAM size: MMU first, then the device tree is read
      // (once) with the caches on.
      using Tables = arch::aarch64::CompileTimePageTables<layout>;
      if (!Tables::enable()) fatal("compile-time page tables are not where link.ld should have put them\n");
      ram_end_ = Tables::mapped_ram_end(read_ram_end());
    } else if constexpr (Options.page_tables == PageTables::boot_time) {
      using Tables = arch::aarch64::BootTimePageTables<layout>;
      const std::uint64_t ram_end = read_ram_end();
      Tables::enable(ram_end);
      ram_end_ = Tables::mapped_ram_end(ram_end);
    } else {
      ram_end_ = read_ram_end();
    }
  }

  static MemoryRegion free_memory() { return {__tessera_heap_start, reinterpret_cast<std::byte*>(ram_end_)}; }

  static void run_constructors() { tessera_run_constructors(); }

  // The schedulers' idle: nothing to run until clock::now() reaches `deadline`, or until
  // another core's wake_core (SMP). wfi, woken by the virtual timer's interrupt or the wake
  // signal through the GIC (this core's side set up on first use, so images that never idle
  // carry none of it); interrupts stay masked at the CPU, no handler runs.
  static void idle_until(std::uint64_t deadline) {
    const unsigned core = core_id();
    if (!timer_wakes_[core]) {
      interrupt_controller::init();
      interrupt_controller::enable(timer::irq);
      interrupt_controller::enable(wake_signal);
      timer_wakes_[core] = true;
    }
    timer::arm(deadline);
    while (timer::now() < deadline && !interrupt_controller::pending(wake_signal)) asm volatile("dsb sy\n\twfi" ::: "memory");
    timer::disarm();
    interrupt_controller::clear_signal(wake_signal);
  }

  // SMP: QEMU's virt machine with GICv2 has up to 8 cores (-smp N; hw/arm/virt.c
  // GIC_NCPU), numbered by MPIDR_EL1.Aff0. Secondary cores start powered off; PSCI CPU_ON
  // (QEMU's own PSCI, conduit as for SYSTEM_OFF) starts one at src/arch/aarch64/secondary.S,
  // which gives it core 0's translation tables and calls entry(core) on stack_top at EL1.
  static constexpr unsigned max_cores = 8;
  // The SGI a core sends another to end its idle_until (tessera's choice of the 16).
  static constexpr std::uint32_t wake_signal = 0;
  static unsigned core_id() { return arch::aarch64::core_id(); }
  static void wake_core(unsigned core) { interrupt_controller::signal(core, wake_signal); }
  // Errors: invalid_argument (core 0, this core, beyond max_cores), not_supported (QEMU has
  // fewer cores: -smp), io_error (PSCI refused: already on), timeout (it did not come up in 1 s).
  static Result<void> start_core(unsigned core, void* stack_top, void (*entry)(unsigned core)) {
    namespace a = arch::aarch64;
    if (core == 0 || core >= max_cores || core == core_id()) return fail(Error::invalid_argument);
    sync::LockGuard<sync::Spinlock> one_at_a_time(starting_);
    a::prepare_secondary_boot(boot_, core, stack_top, entry);
    const std::int64_t status = a::psci_cpu_on(core, &tessera_secondary_entry, reinterpret_cast<std::uint64_t>(&boot_));
    if (status == a::PSCI_INVALID_PARAMETERS) return fail(Error::not_supported);
    if (status != a::PSCI_SUCCESS) return fail(Error::io_error);
    const std::uint64_t give_up = clock::now() + clock::frequency();
    while (!__atomic_load_n(&boot_.started, __ATOMIC_ACQUIRE))
      if (clock::now() > give_up) return fail(Error::timeout);
    return {};
  }

  // Threads (sched::Cooperative, sched::Preemptive). threads_started: from now on a fault
  // report names the running thread (of the scheduler's detail::Core) and tells a stack
  // overflow into a guard page from other faults (src/arch/aarch64/thread_trap.cpp).
  // Compile-time tables are copied here, on core 0 before the application can start other
  // cores, which take core 0's TTBR0 (guard_pages.hpp).
  static void threads_started(const void* scheduler_core) {
    if constexpr (Options.page_tables == arch::aarch64::PageTables::compile_time)
      if (core_id() == 0) writable_tables();
    tessera_thread_faults_on(scheduler_core);
  }
  // An unmapped guard page below each thread stack (arch/aarch64/guard_pages.hpp), with the
  // MMU on (.page_tables compile_time or boot_time). Unmapping a page of a 2 MiB block needs a
  // 4 KiB-aligned table of 4 KiB, which the scheduler allocates when asked.
  static constexpr std::size_t guard_page_bytes = 4096;
  static bool guard_page_needs_table(std::uintptr_t page)
    requires(Options.page_tables != arch::aarch64::PageTables::off)
  {
    writable_tables();
    return arch::aarch64::guard::needs_table(page);
  }
  static Result<void> unmap_guard_page(std::uintptr_t page, void* table)
    requires(Options.page_tables != arch::aarch64::PageTables::off)
  {
    writable_tables();
    return arch::aarch64::guard::unmap(page, table);
  }
  static void remap_guard_page(std::uintptr_t page)
    requires(Options.page_tables != arch::aarch64::PageTables::off)
  {
    arch::aarch64::guard::remap(page);
  }

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
  static inline std::uint64_t ram_end_ = 0;
  static inline bool timer_wakes_[max_cores] = {};
  static inline sync::Spinlock starting_;
  static inline arch::aarch64::SecondaryBoot boot_ = {};

  // Compile-time tables are read-only data: guard pages work on a copy (guard_pages.hpp).
  static void writable_tables() {
    if constexpr (Options.page_tables == arch::aarch64::PageTables::compile_time)
      if (!arch::aarch64::guard::copied) arch::aarch64::guard::copy_compile_time_tables(layout.ram_base, layout.rw_block);
  }

  static std::uint64_t read_ram_end() {
    if (auto memory = lib::fdt::find_memory(reinterpret_cast<const void*>(ram_base)); memory.ok())
      return memory.value().base + memory.value().size;
    warn("no usable /memory node in the device tree; assuming 64 MiB of RAM\n");
    return ram_base + fallback_ram_bytes;
  }
  static void warn(const char* text) {
    console::write("tessera: ", 9);
    console::write(text, lib::length(text));
  }
  [[noreturn]] static void fatal(const char* text) {
    warn(text);
    exit(exit_status_fault);
  }
};

// The default: compile-time page tables.
using QemuVirtAarch64 = QemuVirt<>;

static_assert(api::Platform<QemuVirtAarch64>);
static_assert(api::InterruptController<QemuVirtAarch64::interrupt_controller>);
static_assert(api::DeadlineTimer<QemuVirtAarch64::timer>);
static_assert(api::CoreSignals<QemuVirtAarch64::interrupt_controller>);

}  // namespace tessera::platform
