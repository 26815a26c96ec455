#pragma once
// platform::Raspi3 — the Raspberry Pi 3 Model B/B+ (BCM2837: four Cortex-A53, peripherals at
// 0x3F000000) and QEMU's raspi3b machine. The firmware loads kernel8.img at 0x80000 and
// enters it on core 0 at EL2 (start.S drops to EL1); cores 1-3, released from the firmware's
// spin table at boot, sleep in wfi (spin_table.S) until start_core() starts them.
//
// Console: the PL011 (UART0) on GPIO 14/15 (ALT0), or the mini UART (ALT5) with
// .console = Raspi3Console::mini_uart; clock: the generic timer; interrupt controller: the
// BCM2836 local one (drivers/bcm2836_local_intc.hpp) with the generic timer's virtual timer
// (CNTVIRQ) as the deadline timer, enough for sched::Preemptive; RAM: from 0 to what the
// VideoCore mailbox reports for the ARM; exit: semihosting SYS_EXIT (QEMU), else a watchdog
// reset into the firmware's "halt" partition. Also here: gpio, system_timer (1 MHz),
// mailbox (board revision, memory, clocks). Start-up, vectors and linker script live in
// src/arch/aarch64/ and platforms/raspi3/.
// Options: .console (pl011, mini_uart), .uart_clock_hz (the PL011's reference clock; the
// mini UART's is the core clock, 250 MHz with enable_uart=1), .baud.
// Cost: one mailbox round trip at boot (the RAM size), 8 KiB of page tables in the image.
// Peripheral addresses: "BCM2835 ARM Peripherals" (Broadcom, 2012) §1.2.3 gives bus addresses
// 0x7Ennnnnn; the BCM2837 maps them at ARM physical 0x3Fnnnnnn.

#include <cstdint>
#include <type_traits>

#include "tessera/api/interrupt_controller.hpp"
#include "tessera/api/platform.hpp"
#include "tessera/arch/aarch64/generic_timer.hpp"
#include "tessera/arch/aarch64/guard_pages.hpp"
#include "tessera/arch/aarch64/page_tables.hpp"
#include "tessera/arch/aarch64/power.hpp"
#include "tessera/drivers/bcm2835_gpio.hpp"
#include "tessera/drivers/bcm2835_mailbox.hpp"
#include "tessera/drivers/bcm2835_mini_uart.hpp"
#include "tessera/drivers/bcm2835_system_timer.hpp"
#include "tessera/drivers/bcm2836_local_intc.hpp"
#include "tessera/drivers/pl011.hpp"
#include "tessera/exit_status.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/result.hpp"

extern "C" {
// src/arch/aarch64/spin_table.S: where a released secondary core starts, and what it reads there.
void tessera_spin_table_entry();
// ...and where cores 1-3 wait from boot until then (in wfi rather than the firmware's wfe loop).
void tessera_spin_table_park_cores();
extern std::uint64_t tessera_spin_table_boot[24];
extern const char tessera_vectors[];
}

extern "C" void tessera_thread_faults_on(const void* scheduler_core);  // src/arch/aarch64/thread_trap.cpp

namespace tessera::platform {

enum class Raspi3Console { pl011, mini_uart };

struct Raspi3Options {
  Raspi3Console console = Raspi3Console::pl011;
  std::uint32_t uart_clock_hz = 48'000'000;  // PL011 reference clock (config.txt init_uart_clock; the firmware's default)
  std::uint32_t baud = 115200;
};

namespace detail {

// Compile-time translation tables for the Raspberry Pi 3 (4 KiB granule, 32-bit addresses,
// walk from level 1; descriptor bits as in arch/aarch64/page_tables.hpp):
//   [0, 64 KiB)            not mapped: a null pointer (or a member of one) faults; the spin table is here
//   [64 KiB, 0x80000)      RAM, read-write, never executable
//   [0x80000, 0x180000)    the image's read-only part: read-only, executable (4 KiB pages)
//   [0x180000, 0x200000)   the image's read-write part (.data, .bss, boot stack) and the
//                          start of the heap: RAM, read-write, never executable (4 KiB pages)
//   [0x200000, 0x3F000000) RAM, read-write, never executable (2 MiB blocks)
//   [0x3F000000, 1 GiB)    BCM2837 peripherals, device memory
//   [1 GiB, 2 GiB)         the ARM-local peripherals at 0x40000000, device memory (a 1 GiB
//                          block: finer would cost another 4 KiB table in the image)
//   everything else        not mapped
struct Raspi3Layout {
  static constexpr std::uint64_t page_tables = 0x81000;  // platforms/raspi3/link.ld TESSERA_PAGE_TABLES
  // rw_begin: in the 2 MiB the firmware loaded the image into, so that the first writes of a
  // boot (.data, .bss, the stack, the heap's first block) touch no other 2 MiB of RAM (in QEMU
  // each 2 MiB touched first costs the host a zeroed huge page, about 0.35 ms).
  static constexpr std::uint64_t null_guard_end = 0x10000, ro_begin = 0x80000, rw_begin = 0x180000;
  static constexpr std::uint64_t peripherals = 0x3F00'0000, local_peripherals = 0x4000'0000;
};
struct Raspi3Tables {
  arch::aarch64::pt::Table low;        // level 3: the first 2 MiB
  arch::aarch64::pt::Table first_gib;  // level 2
};
struct alignas(64) Raspi3Root {
  arch::aarch64::pt::Entry entries[4];
};

constexpr Raspi3Tables make_raspi3_tables() {
  using namespace arch::aarch64::pt;
  using L = Raspi3Layout;
  Raspi3Tables t{};
  for (std::uint64_t a = L::null_guard_end; a < kBlock2M; a += kPage)
    t.low.entries[a / kPage] = a | (a >= L::ro_begin && a < L::rw_begin ? kCode : kData) | kPageDesc;
  t.first_gib.entries[0] = L::page_tables | kTable;
  for (std::uint64_t a = kBlock2M; a < kBlock1G; a += kBlock2M)
    t.first_gib.entries[a / kBlock2M] = a | (a < L::peripherals ? kData : kDevice) | kBlock;
  return t;
}
constexpr Raspi3Root make_raspi3_root() {
  using namespace arch::aarch64::pt;
  using L = Raspi3Layout;
  Raspi3Root r{};
  r.entries[0] = (L::page_tables + sizeof(Table)) | kTable;
  r.entries[L::local_peripherals / kBlock1G] = L::local_peripherals | kDevice | kBlock;
  return r;
}

struct Raspi3PageTables : Raspi3Layout {
  static constexpr std::uint64_t address = page_tables;
  // link.ld places `tables` at `address` by its name (g++ ignores section attributes on class
  // members it emits as COMDAT data); `root` is ordinary read-only data.
  static constexpr Raspi3Tables tables = make_raspi3_tables();
  static constexpr Raspi3Root root = make_raspi3_root();

  static bool enable() {
    if (reinterpret_cast<std::uint64_t>(&tables) != address) return false;
    tessera_mmu_enable(reinterpret_cast<std::uint64_t>(&root), arch::aarch64::pt::kMair,
                       arch::aarch64::pt::kTcr32BitVa);
    return true;
  }
};

}  // namespace detail

template <Raspi3Options Options = Raspi3Options{}>
struct Raspi3Board {
  static constexpr bool baud_ok = Options.baud >= 300 && Options.baud <= 4'000'000;
  static constexpr bool clock_ok = Options.uart_clock_hz == 0 || Options.uart_clock_hz >= 16 * Options.baud;
  static_assert(baud_ok,
                "platform::Raspi3Board: option .baud must be 300 to 4,000,000 (115200 is what the docs' serial "
                "settings say)");
  static_assert(clock_ok,
                "platform::Raspi3Board: option .uart_clock_hz must be at least 16 × .baud (the PL011's divisor is "
                "clock / (16 × baud)), or 0 to keep the divisor the firmware set");
  static constexpr const char* name = "platform::Raspi3";
  static constexpr Raspi3Options options = Options;

  // BCM2835 ARM Peripherals §6.1 (GPIO), §13 (PL011 UART at bus 0x7E201000), §2.1 (AUX),
  // §12 (system timer); the mailbox at bus 0x7E00B880 (firmware wiki, "Mailboxes").
  static constexpr std::uintptr_t peripheral_base = 0x3F00'0000;
  static constexpr std::uintptr_t gpio_base = peripheral_base + 0x20'0000;
  static constexpr std::uintptr_t uart0_base = peripheral_base + 0x20'1000;
  static constexpr std::uintptr_t mini_uart_base = peripheral_base + 0x21'5040;  // AUX_MU_IO_REG
  static constexpr std::uintptr_t system_timer_base = peripheral_base + 0x3000;
  static constexpr std::uintptr_t mailbox_base = peripheral_base + 0xB880;
  // The PM block's watchdog (PM_RSTC +0x1c, PM_RSTS +0x20, PM_WDOG +0x24; writes need the
  // password 0x5A in bits 31:24): bus 0x7E100000. Not in the BCM2835 ARM Peripherals manual;
  // the register names are those of the Raspberry Pi firmware and its device tree
  // ("brcm,bcm2835-pm-wdt").
  static constexpr std::uintptr_t pm_base = peripheral_base + 0x10'0000;
  // BCM2836 ARM-local peripherals (QA7_rev3.4) §3: at 0x40000000.
  static constexpr std::uintptr_t local_base = 0x4000'0000;
  // The spin table (Raspberry Pi armstub8, QEMU hw/arm/raspi.c): core n waits for an address at 0xd8 + 8·n.
  static constexpr std::uintptr_t spin_table = 0xd8;
  static constexpr unsigned max_cores = 4;
  // GPIO 14 and 15: TXD0/RXD0 in ALT0, TXD1/RXD1 in ALT5 (BCM2835 ARM Peripherals §6.2,
  // "Alternative Function Assignments"); header pins 8 and 10.
  static constexpr unsigned uart_tx_pin = 14, uart_rx_pin = 15;
  // If the mailbox cannot say: 256 MiB, below any gpu_mem split on a 1 GiB board.
  static constexpr std::uint64_t fallback_ram_bytes = 256u << 20;

  using gpio = drivers::Bcm2835Gpio<{.base = gpio_base}>;
  using console = std::conditional_t<
      Options.console == Raspi3Console::pl011,
      // A bad option is reported once, above, not again by the driver's own checks.
      drivers::Pl011<{.base = uart0_base, .clock_hz = baud_ok && clock_ok ? Options.uart_clock_hz : 0,
                      .baud = baud_ok ? Options.baud : 115200}>,
      drivers::Bcm2835MiniUart<{.base = mini_uart_base, .baud = baud_ok ? Options.baud : 115200}>>;
  using clock = arch::aarch64::GenericTimer;
  using system_timer = drivers::Bcm2835SystemTimer<{.base = system_timer_base}>;
  using mailbox = drivers::Bcm2835Mailbox<{.base = mailbox_base}>;
  using interrupt_controller = drivers::Bcm2836LocalIntc<{.base = local_base}>;
  // The generic timer's virtual timer, whose output the local controller sees as CNTVIRQ.
  struct timer : arch::aarch64::GenericTimer {
    static constexpr std::uint32_t irq = interrupt_controller::cntvirq;
  };

  static void early_init() {
    // First, while the MMU is off: cores 1-3 leave the firmware's loop for a wfi (spin_table.S).
    tessera_spin_table_park_cores();
    // The console pins first: on a real board nothing is printed otherwise. No pulls (the
    // other side drives RX).
    constexpr auto function =
        Options.console == Raspi3Console::pl011 ? drivers::GpioFunction::alt0 : drivers::GpioFunction::alt5;
    (void)gpio::pull(uart_tx_pin, drivers::GpioPull::none);
    (void)gpio::pull(uart_rx_pin, drivers::GpioPull::none);
    (void)gpio::select(uart_tx_pin, function);
    (void)gpio::select(uart_rx_pin, function);
    console::init();
    if (!detail::Raspi3PageTables::enable()) fatal("compile-time page tables are not where link.ld should have put them\n");
    ram_end_ = read_ram_end();
  }

  static MemoryRegion free_memory() { return {__tessera_heap_start, reinterpret_cast<std::byte*>(ram_end_)}; }
  static void run_constructors() { tessera_run_constructors(); }

  // As on qemu-virt: wfi until the virtual timer's deadline or another core's wake_core, both
  // routed to this core by the local controller (on first use per core); interrupts stay
  // masked at the CPU, no handler runs.
  static void idle_until(std::uint64_t deadline) {
    const unsigned core = core_id();
    if (!(timer_wakes_ & (1u << core))) {
      interrupt_controller::enable(timer::irq);
      interrupt_controller::enable(wake_signal);
      __atomic_fetch_or(&timer_wakes_, 1u << core, __ATOMIC_RELAXED);
    }
    timer::arm(deadline);
    while (timer::now() < deadline && !interrupt_controller::pending(wake_signal)) asm volatile("dsb sy\n\twfi" ::: "memory");
    timer::disarm();
    interrupt_controller::clear_signal(wake_signal);
  }

  // Threads (sched::Cooperative, sched::Preemptive): from now on a fault report names the
  // running thread, runs on a stack of its own and tells a stack overflow into a guard page
  // from other faults (src/arch/aarch64/thread_trap.cpp). The compile-time tables are read-only
  // (in the image's read-only part): they are copied to .bss here, on core 0 before the
  // application can start other cores, which take core 0's TTBR0.
  static void threads_started(const void* scheduler_core) {
    if (core_id() == 0) writable_tables();
    tessera_thread_faults_on(scheduler_core);
  }
  // An unmapped guard page below each thread stack (arch/aarch64/guard_pages.hpp). Stacks come
  // from the heap, above the image's read-only part: in the first 2 MiB (pages already) or in
  // 2 MiB blocks, where unmapping a page needs a 4 KiB-aligned table of 4 KiB, which the
  // scheduler allocates when asked.
  static constexpr std::size_t guard_page_bytes = 4096;
  static bool guard_page_needs_table(std::uintptr_t page) {
    writable_tables();
    return arch::aarch64::guard::needs_table(page);
  }
  static Result<void> unmap_guard_page(std::uintptr_t page, void* table) {
    if (page < detail::Raspi3Layout::rw_begin) return fail(Error::not_supported);  // the read-only level-3 table
    writable_tables();
    return arch::aarch64::guard::unmap(page, table);
  }
  static void remap_guard_page(std::uintptr_t page) { arch::aarch64::guard::remap(page); }

  [[noreturn]] static void exit(int status) {
    arch::aarch64::semihosting_exit(status);
    if (status != 0) {  // without semihosting the status cannot reach anyone: say it
      char text[24];
      const auto n = lib::format_decimal(text, status);
      warn("exit status ");
      console::write(text, n);
      console::write("\n", 1);
    }
    halt();
  }

  // ---------------------------------------------------------------- cores
  // The signal a core sends another to end its idle_until (sched::PerCore): mailbox 0's
  // interrupt at the local controller.
  static constexpr std::uint32_t wake_signal = interrupt_controller::mailbox0;
  static void wake_core(unsigned core) { interrupt_controller::signal(core, wake_signal); }
  // Ends a parked core's wait (src/arch/aarch64/spin_table.S, tessera_spin_table_park):
  // mailbox 3, routed only while the core is parked.
  static constexpr std::uint32_t park_release_signal = interrupt_controller::mailbox0 + 3;

  static unsigned core_id() {
    std::uint64_t mpidr;
    asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return mpidr & 0xff;  // Aff0
  }

  // Releases core `core` (1-3) from the spin table: it drops to EL1, turns on the MMU with this
  // core's tables, FP/SIMD, this core's vectors, SP = stack_top (16-byte aligned), and calls
  // entry(core) with IRQs masked. Returns once the core runs (as on qemu-virt, so a scheduler
  // can count on it). Errors: invalid_argument (core 0, this core, beyond max_cores, started
  // before, a bad stack or entry), timeout (it did not come up within 10 s: a dead core; it must
  // not be given the stack again, since a released core cannot be recalled).
  static Result<void> start_core(unsigned core, void* stack_top, void (*entry)(unsigned core)) {
    const auto sp = reinterpret_cast<std::uintptr_t>(stack_top);
    if (core == 0 || core >= max_cores || core == core_id() || sp == 0 || sp % 16 != 0 || entry == nullptr)
      return fail(Error::invalid_argument);
    if (__atomic_fetch_or(&started_, 1u << core, __ATOMIC_ACQ_REL) & (1u << core)) return fail(Error::invalid_argument);
    auto* boot = tessera_spin_table_boot;
    asm volatile("mrs %0, mair_el1" : "=r"(boot[0]));
    asm volatile("mrs %0, tcr_el1" : "=r"(boot[1]));
    asm volatile("mrs %0, ttbr0_el1" : "=r"(boot[2]));
    asm volatile("mrs %0, sctlr_el1" : "=r"(boot[3]));
    asm volatile("mrs %0, vbar_el1" : "=r"(boot[4]));
    asm volatile("mrs %0, tpidr_el0" : "=r"(boot[5]));
    boot[6 + core] = sp;
    boot[10 + core] = reinterpret_cast<std::uint64_t>(entry);
    boot[14 + core] = 0;  // set by the core once it runs
    // The core reads the block with its MMU and caches off: clean it to the point of coherency
    // (three 64-byte lines, spin_table.S aligns it).
    asm volatile("dc cvac, %0\n\tdc cvac, %1\n\tdc cvac, %2\n\tdsb sy" ::"r"(boot), "r"(boot + 8), "r"(boot + 16)
                 : "memory");
    post_spin_table(spin_table + 8 * core, reinterpret_cast<std::uint64_t>(&tessera_spin_table_entry));
    interrupt_controller::signal(core, park_release_signal);  // ends its wfi in the park
    // A core released from the spin table cannot be called back: "timeout" must mean a dead
    // core, not a slow host (QEMU's vCPU threads on a loaded machine can wait a second or more),
    // so the bound is generous. A board's core comes up in microseconds.
    const std::uint64_t give_up = clock::now() + 10 * clock::frequency();
    while (!__atomic_load_n(&boot[14 + core], __ATOMIC_ACQUIRE))
      if (clock::now() > give_up) return fail(Error::timeout);
    return {};
  }

 private:
  static inline std::uint64_t ram_end_ = 0;
  static inline std::uint32_t timer_wakes_ = 0;  // cores whose CNTVIRQ is routed
  static inline std::uint32_t started_ = 0;      // cores released

  static void writable_tables() {
    // The image's read-write block (.data, .bss: the copy itself) becomes pages, so splitting
    // a heap block later never unmaps the tables being written.
    if (!arch::aarch64::guard::copied)
      arch::aarch64::guard::copy_compile_time_tables(0, detail::Raspi3Layout::rw_begin);
  }

  static std::uint64_t read_ram_end() {
    if (auto memory = mailbox::arm_memory(); memory.ok()) {
      const std::uint64_t end = std::uint64_t{memory.value().base} + memory.value().bytes;
      return end < detail::Raspi3PageTables::peripherals ? end : detail::Raspi3PageTables::peripherals;
    } else {
      warn("mailbox tag 0x");
      char text[8];
      console::write(text, lib::format_hex(text, mailbox::last_failed_tag(), 8));
      console::write(" (ARM memory) failed: ", 22);
      const char* reason = to_string(memory.error());
      console::write(reason, lib::length(reason));
      console::write("; assuming 256 MiB of RAM\n", 26);
    }
    return fallback_ram_bytes;
  }

  // The spin table is in the first page, which the page tables leave unmapped (null pointers
  // fault). The store is made with the MMU off for its few instructions (IRQs masked, all in
  // registers): without translation a data access is Device-nGnRnE (Arm ARM D8.2.11), so it
  // goes to RAM, where the waiting core (caches off) reads it; the page is never cached, so
  // there is no line to clean. Then sev wakes the cores waiting in wfe.
  static void post_spin_table(std::uintptr_t slot, std::uint64_t address) {
    std::uint64_t daif, sctlr, off;
    asm volatile(
        "mrs %[daif], daif\n\t"
        "msr daifset, #0xf\n\t"
        "mrs %[sctlr], sctlr_el1\n\t"
        "bic %[off], %[sctlr], #1\n\t"  // SCTLR_EL1.M
        "dsb sy\n\t"
        "msr sctlr_el1, %[off]\n\t"
        "isb\n\t"
        "str %[address], [%[slot]]\n\t"
        "dsb sy\n\t"
        "msr sctlr_el1, %[sctlr]\n\t"
        "isb\n\t"
        "sev\n\t"
        "msr daif, %[daif]"
        : [daif] "=&r"(daif), [sctlr] "=&r"(sctlr), [off] "=&r"(off)
        : [slot] "r"(slot), [address] "r"(address)
        : "memory");
  }

  // The watchdog fires a reset at once into partition 63, which the Raspberry Pi firmware
  // takes as "halt" (as Linux's bcm2835 power-off does); QEMU -no-reboot ends there.
  [[noreturn]] static void halt() {
    constexpr std::uint32_t password = 0x5a00'0000;
    constexpr std::uintptr_t PM_RSTC = pm_base + 0x1c, PM_RSTS = pm_base + 0x20, PM_WDOG = pm_base + 0x24;
    constexpr std::uint32_t rsts_partition_63 = 0x555;  // partition bits 0, 2, 4, 6, 8, 10 all set
    constexpr std::uint32_t rstc_full_reset = 0x20;     // PM_RSTC_WRCFG_FULL_RESET
    lib::mmio::write32(PM_RSTS, password | (lib::mmio::read32(PM_RSTS) & ~0xfffffaaau) | rsts_partition_63);
    lib::mmio::write32(PM_WDOG, password | 10);  // ticks of 16 µs
    lib::mmio::write32(PM_RSTC, password | (lib::mmio::read32(PM_RSTC) & ~0x30u) | rstc_full_reset);
    for (;;) asm volatile("wfe");
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

// The default: the PL011 console at 115200 baud.
using Raspi3 = Raspi3Board<>;

static_assert(api::Platform<Raspi3>);
static_assert(api::InterruptController<Raspi3::interrupt_controller>);
static_assert(api::DeadlineTimer<Raspi3::timer>);
static_assert(api::CoreSignals<Raspi3::interrupt_controller>);
static_assert(api::Clock<Raspi3::system_timer>);

}  // namespace tessera::platform
