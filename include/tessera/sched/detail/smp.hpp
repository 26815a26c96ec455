#pragma once
// What the schedulers share when the kernel runs on several cores (sched::PerCore): one
// scheduling lock for every core's ready queue and sleepers and for every wait queue, the
// heap lock, and the count of cores that could only be woken by another core.
//
// Why one lock: a wake-up on core 2 of a thread that waits on core 0 touches the wait queue
// and core 0's ready queue; with one lock, no order between locks can deadlock, and the
// sections it guards are a few list operations (never the run of a thread). The lock is a
// token of the core, not of a thread: a core holds it from the start of a scheduler operation
// through the switch to the next thread, which releases it where its own operation ends (a
// guard releases only what it acquired, so guards nest and survive a switch, as the
// interrupt mask does under sched::Preemptive). Interrupts are masked while it is held.
// Cost: in single-core kernels, nothing (none of this is used).

#include <cstdint>
#include <type_traits>

#include "tessera/sync/spinlock.hpp"

namespace tessera::sched::detail {

inline constexpr unsigned no_core = ~0u;

struct SmpState {
  sync::Spinlock lock;
  unsigned owner = no_core;  // the core holding `lock` (relaxed: only that core compares equal)
  sync::Spinlock heap;
  // Bit n: core n. live: cores running an application entry (core 0 from the start);
  // stalled: cores with nothing ready and nobody asleep, which only another core can wake.
  // A core leaves `stalled` when another makes one of its threads ready, not when it wakes up:
  // otherwise two cores waking each other could both look stalled for a moment.
  std::uint32_t live = 1;
  std::uint32_t stalled = 0;
};
inline constinit SmpState smp;

// Interrupts masked (DAIF.I) while it lives; the previous mask comes back when it ends.
struct IrqMask {
  std::uint64_t daif;
  IrqMask() { asm volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(daif)::"memory"); }
  ~IrqMask() { asm volatile("msr daif, %0" ::"r"(daif) : "memory"); }
  IrqMask(const IrqMask&) = delete;
  IrqMask& operator=(const IrqMask&) = delete;
};

inline void smp_lock(unsigned core) {
  smp.lock.lock();
  __atomic_store_n(&smp.owner, core, __ATOMIC_RELAXED);
}
inline void smp_unlock() {
  __atomic_store_n(&smp.owner, no_core, __ATOMIC_RELAXED);
  smp.lock.unlock();
}

// The scheduling lock for kernel K's core: taken unless this core already holds it.
template <class K>
class SmpGuard {
 public:
  SmpGuard() {
    const unsigned me = K::platform::core_id();
    acquired_ = __atomic_load_n(&smp.owner, __ATOMIC_RELAXED) != me;
    if (acquired_) smp_lock(me);
  }
  ~SmpGuard() {
    if (acquired_) smp_unlock();
  }
  SmpGuard(const SmpGuard&) = delete;
  SmpGuard& operator=(const SmpGuard&) = delete;

 private:
  IrqMask mask_;  // first in, last out: masked before the lock is taken, until it is released
  bool acquired_;
};

// Threads of the cores in `cores` (a bit per core) became ready; the caller holds the
// scheduling lock. Those cores are no longer stalled, and each one other than the caller's
// gets platform P's wake signal (wake-ups, spawns onto another core).
template <class P>
void smp_made_ready(std::uint32_t cores) {
  smp.stalled &= ~cores;
  cores &= ~(std::uint32_t{1} << P::core_id());
  for (unsigned c = 0; cores; ++c, cores >>= 1)
    if (cores & 1) P::wake_core(c);
}

// Serialises K::alloc() between cores (malloc/new and thread stacks); nothing on one core.
template <class K>
class HeapGuard {
 public:
  HeapGuard() {
    if constexpr (K::cores > 1) smp.heap.lock();
  }
  ~HeapGuard() {
    if constexpr (K::cores > 1) smp.heap.unlock();
  }
  HeapGuard(const HeapGuard&) = delete;
  HeapGuard& operator=(const HeapGuard&) = delete;

 private:
  struct Empty {};
  [[no_unique_address]] std::conditional_t<(K::cores > 1), IrqMask, Empty> mask_;
};

}  // namespace tessera::sched::detail
