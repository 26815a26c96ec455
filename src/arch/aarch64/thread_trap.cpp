// Fault reports that name the thread (images with threads on aarch64). The scheduler calls
// tessera_thread_faults_on() (through the platform's threads_started()) when the application
// starts: from then on a synchronous exception enters through tessera_thread_vectors
// (thread_vectors.S) on a stack of its own, and this file says which thread faulted, and
// whether it ran into the unmapped guard page below its stack (a stack overflow), before
// tessera_trap (trap.cpp) prints the usual report and stops with exit_status_fault.
// Nothing of this is in images without threads: only the scheduler refers to it.

#include <cstdint>

#include "../../libc/report.hpp"
#include "tessera/sched/detail/thread.hpp"

extern "C" {
void tessera_trap(void* frame, std::uint64_t vector);  // trap.cpp
extern const char tessera_thread_vectors[];            // thread_vectors.S
extern const char __tessera_stack_guard[];             // link.ld: below the boot stack
}

namespace {

using tessera::report::text;

constexpr std::uint64_t kGuardBytes = 4096;  // one 4 KiB page (arch/aarch64/guard_pages.hpp)
constexpr int kFarWord = 35;                 // TrapFrame::far (trap.cpp)

// Per core (sched::PerCore runs a scheduler on each; MPIDR_EL1.Aff0 is the core's number on
// qemu-virt, as platform::core_id() says): the scheduler's threads, and the stack its fault
// reports run on (4 KiB: the report, its backtrace and console output).
constexpr unsigned kCores = 8;
const tessera::sched::detail::Core* cores[kCores] = {};
alignas(16) std::byte fault_stacks[kCores][4096];

unsigned this_core() {
  std::uint64_t mpidr;
  asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
  return static_cast<unsigned>(mpidr & 0xff) % kCores;
}

}  // namespace

// Called on each core that runs threads, when its scheduler starts.
extern "C" void tessera_thread_faults_on(const void* scheduler_core) {
  const unsigned core = this_core();
  cores[core] = static_cast<const tessera::sched::detail::Core*>(scheduler_core);
  asm volatile(
      "msr sp_el0, %0\n\t"
      "msr vbar_el1, %1\n\t"
      "isb" ::"r"(fault_stacks[core] + sizeof fault_stacks[core]),
      "r"(tessera_thread_vectors)
      : "memory");
}

extern "C" [[noreturn]] void tessera_thread_trap(void* frame, std::uint64_t vector) {
  const tessera::sched::detail::Core* core = cores[this_core()];
  const tessera::sched::detail::Thread* thread = core ? core->current() : nullptr;
  if (thread) {
    const std::uint64_t far = static_cast<const std::uint64_t*>(frame)[kFarWord];
    // The page below a spawned thread's stack, or below the boot stack for the first thread.
    const std::uint64_t bottom = thread->stack ? reinterpret_cast<std::uint64_t>(thread->stack)
                                               : reinterpret_cast<std::uint64_t>(__tessera_stack_guard) + kGuardBytes;
    if (far >= bottom - kGuardBytes && far < bottom) {
      text("\n*** tessera: stack overflow in thread ");
      text(thread->name);
      text(": it ran into the unmapped guard page below its stack (make its stack larger: "
           "SpawnOptions::stack_bytes or the scheduler's .stack_bytes)");
    } else {
      text("\n*** tessera: fault in thread ");
      text(thread->name);
    }
  }
  tessera_trap(frame, vector);
  __builtin_trap();  // tessera_trap stops the machine for every exception that reaches here
}
