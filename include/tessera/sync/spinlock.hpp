#pragma once
// sync::Spinlock — mutual exclusion by busy-waiting, for short sections that must not block
// (between cores, or where no thread may sleep). Correct on weakly ordered CPUs: taking the
// lock is an acquire (nothing of the section moves above it), releasing is a release
// (nothing moves below it): __atomic builtins, which compile to ldaxr/stxr and stlr on
// Armv8.0 (no <atomic>: it does not compile on bare metal yet). On aarch64 the exclusives
// need cacheable memory, i.e. the MMU on (the default page tables). It does not mask
// interrupts: an interrupt-safe variant comes with the interrupt controller.
// Cost: one byte; an uncontended lock/unlock is one exclusive pair and one store-release.

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

// Holds a lock (Spinlock, sync::Mutex …) for the lifetime of the guard.
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
