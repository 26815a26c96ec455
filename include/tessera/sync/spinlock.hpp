#pragma once
// sync::Spinlock — mutual exclusion by busy-waiting, for short sections that must not block
// (between cores, or where no thread may sleep). Correct on weakly ordered CPUs: taking the
// lock is an acquire (nothing of the section moves above it), releasing is a release
// (nothing moves below it): __atomic builtins, which compile to ldaxr/stxr and stlr on
// Armv8.0 (no <atomic>: it does not compile on bare metal yet). On aarch64 the exclusives
// need cacheable memory, i.e. the MMU on (the default page tables). It does not mask
// interrupts: for data an interrupt handler shares with threads, use IrqSpinlock (below).
// Cost: one byte; an uncontended lock/unlock is one exclusive pair and one store-release.
//
// sync::IrqSpinlock — the interrupt-safe variant: lock() masks IRQs on this core (PSTATE.I,
// Arm ARM C5.2.2 DAIF) before it spins and unlock() restores the mask it found, so a handler
// (sched::Preemptive's OnTick) and the threads it interrupts can share data under it
// without the handler ever spinning on a lock its own core holds. Hold it only for a few
// instructions: the timer interrupt waits meanwhile. On hosted there are no interrupts: it is
// a Spinlock. Cost: a Spinlock plus the saved mask (16 bytes), two system-register accesses
// per lock/unlock.

namespace tessera::sync {

class Spinlock {
 public:
  constexpr Spinlock() = default;
  Spinlock(const Spinlock&) = delete;
  Spinlock& operator=(const Spinlock&) = delete;

  void lock() {
    while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) {
      // Test before test-and-set: spin on a plain load so waiting cores share the line.
      while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) relax();
    }
  }
  bool try_lock() { return !__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE); }
  void unlock() { __atomic_store_n(&locked_, false, __ATOMIC_RELEASE); }
  bool locked() const { return __atomic_load_n(&locked_, __ATOMIC_RELAXED); }

 private:
  static void relax() {
#if defined(__aarch64__)
    asm volatile("yield" ::: "memory");  // Arm ARM C6.2.404: a hint that this is a spin-wait
#elif defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
  bool locked_ = false;
};

class IrqSpinlock {
 public:
  constexpr IrqSpinlock() = default;
  IrqSpinlock(const IrqSpinlock&) = delete;
  IrqSpinlock& operator=(const IrqSpinlock&) = delete;

  void lock() {
    const unsigned long mask = mask_irqs();
    lock_.lock();
    saved_ = mask;  // only the holder writes it, after taking the lock
  }
  bool try_lock() {
    const unsigned long mask = mask_irqs();
    if (lock_.try_lock()) {
      saved_ = mask;
      return true;
    }
    restore(mask);
    return false;
  }
  void unlock() {
    const unsigned long mask = saved_;
    lock_.unlock();
    restore(mask);
  }
  bool locked() const { return lock_.locked(); }

 private:
  static unsigned long mask_irqs() {
#if defined(__aarch64__)
    unsigned long daif;
    asm volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(daif)::"memory");
    return daif;
#else
    return 0;
#endif
  }
  static void restore([[maybe_unused]] unsigned long daif) {
#if defined(__aarch64__)
    asm volatile("msr daif, %0" ::"r"(daif) : "memory");
#endif
  }
  Spinlock lock_;
  unsigned long saved_ = 0;
};

// Holds a lock (Spinlock, IrqSpinlock, sync::Mutex …) for the lifetime of the guard.
template <class Lock>
class LockGuard {
 public:
  explicit LockGuard(Lock& lock) : lock_(lock) { lock_.lock(); }
  ~LockGuard() { lock_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& lock_;
};

}  // namespace tessera::sync
