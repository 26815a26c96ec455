#pragma once
// lwIP's sys_arch on tessera's threads (lwIP 2.1.3 with NO_SYS=0: the sockets build,
// lwip_sockets_dep in Meson). What lwIP's tcpip thread and its sequential APIs (netconn, BSD
// sockets) block on, made of the kernel's own parts:
//   sys_sem_t    → sync::Semaphore<K>          sys_mutex_t → sync::Mutex<K> (lwIP's core lock)
//   sys_mbox_t   → a bounded ring of pointers between two sync::Semaphore<K> (items, room)
//   sys_thread_new → K::sched().spawn (detached)  timeouts → the platform clock (K::platform::clock)
//   sys_arch_protect → the scheduler's critical section (nothing under sched::Cooperative,
//                      IRQs masked under sched::Preemptive), nestable
// Objects come from the kernel's allocator (K::alloc()); a failed allocation is ERR_MEM.
//
// lwIP calls these as C functions by name; they must be defined once, for the application's
// kernel: write TESSERA_LWIP_SYS_ARCH(App) at namespace scope in one source file (after
// TESSERA_MAIN). Each is a direct call into this template: no function pointer between lwIP
// and the kernel. A kernel whose scheduler cannot block (sched::None) is a compile error that
// says to pick sched::Cooperative.
//
// Options: none (lwIP's mailbox sizes and thread stacks are lwipopts.h's).
// Cost (64-bit targets): per semaphore 32 bytes, per mutex 32, per mailbox 88 + 8 × its size,
// all from the heap (plus the allocator's header each); a wait or post is the sync:: operation
// plus one or two clock reads.

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "tessera/result.hpp"
#include "tessera/sync/detail/misuse.hpp"
#include "tessera/sync/mutex.hpp"
#include "tessera/sync/semaphore.hpp"

extern "C" {
#include "lwip/err.h"
#include "lwip/sys.h"
}

#if NO_SYS
#error "tessera/net/lwip_sys_arch.hpp is for lwIP's sockets build (NO_SYS=0): depend on lwip_sockets_dep, not lwip_dep"
#endif

namespace tessera::net {

// The sentence a kernel that cannot block gets (LwipSockets and TESSERA_LWIP_SYS_ARCH).
#define TESSERA_DETAIL_LWIP_NEEDS_THREADS                                                                   \
  "lwIP's sockets (NO_SYS=0) need a scheduler that can block: its tcpip thread and every blocking socket " \
  "call wait on semaphores and mailboxes, and sched::None has neither threads nor waiting; use "            \
  "tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE), or lwIP's raw "    \
  "API (net::LwipNetif with lwip_dep, NO_SYS=1) with sched::None"

namespace detail {

template <class K>
inline constexpr bool lwip_can_block = K::scheduler_type::can_block;

// Milliseconds as ticks of clock C (rounded up: a timeout is never shorter than asked).
template <class C>
std::uint64_t ticks_from_ms(std::uint32_t ms) {
  return (std::uint64_t{ms} * C::frequency() + 999u) / 1000u;
}

template <class K, bool CanBlock = lwip_can_block<K>>
struct LwipSys {
  using clock = typename K::platform::clock;
  using Semaphore = sync::Semaphore<K>;
  using Mutex = sync::Mutex<K>;
  struct Mailbox {
    explicit Mailbox(std::uint32_t n, void** ring) : room(n), size(n), slots(ring) {}
    Semaphore items{0}, room;  // messages waiting, free slots
    std::uint32_t head = 0, count = 0, size;
    void** slots;
  };

  template <class T, class... Args>
  static T* make(std::size_t bytes, Args... args) {
    auto memory = K::alloc().allocate(bytes, alignof(T));
    return memory ? new (memory.value()) T(args...) : nullptr;
  }
  template <class T>
  static void destroy(T* object) {
    object->~T();
    (void)K::alloc().deallocate(object);
  }

  static err_t sem_new(sys_sem_t* s, std::uint8_t count) {
    s->object = make<Semaphore>(sizeof(Semaphore), std::size_t{count});
    return s->object ? ERR_OK : ERR_MEM;
  }
  static void sem_free(sys_sem_t* s) { destroy(static_cast<Semaphore*>(s->object)); }
  static void sem_signal(sys_sem_t* s) { static_cast<Semaphore*>(s->object)->release(); }
  // lwIP's contract: 0 waits forever; otherwise the milliseconds waited, or SYS_ARCH_TIMEOUT.
  static std::uint32_t sem_wait(sys_sem_t* s, std::uint32_t timeout_ms) {
    auto* semaphore = static_cast<Semaphore*>(s->object);
    const std::uint64_t start = clock::now();
    if (timeout_ms == 0) {
      semaphore->acquire();
    } else if (!semaphore->acquire_until(start + ticks_from_ms<clock>(timeout_ms))) {
      return SYS_ARCH_TIMEOUT;
    }
    return waited_ms(start);
  }

  static err_t mutex_new(sys_mutex_t* m) {
    m->object = make<Mutex>(sizeof(Mutex));
    return m->object ? ERR_OK : ERR_MEM;
  }
  static void mutex_free(sys_mutex_t* m) { destroy(static_cast<Mutex*>(m->object)); }
  static void mutex_lock(sys_mutex_t* m) { static_cast<Mutex*>(m->object)->lock(); }
  static void mutex_unlock(sys_mutex_t* m) { static_cast<Mutex*>(m->object)->unlock(); }

  static err_t mbox_new(sys_mbox_t* b, int size) {
    const auto n = static_cast<std::uint32_t>(size > 0 ? size : 1);
    auto ring = K::alloc().allocate(sizeof(void*) * n, alignof(void*));
    if (!ring) return ERR_MEM;
    b->object = make<Mailbox>(sizeof(Mailbox), n, static_cast<void**>(ring.value()));
    if (b->object == nullptr) (void)K::alloc().deallocate(ring.value());
    return b->object ? ERR_OK : ERR_MEM;
  }
  static void mbox_free(sys_mbox_t* b) {
    auto* box = static_cast<Mailbox*>(b->object);
    (void)K::alloc().deallocate(box->slots);
    destroy(box);
  }
  static void mbox_post(sys_mbox_t* b, void* message) {
    auto* box = static_cast<Mailbox*>(b->object);
    box->room.acquire();
    put(box, message);
  }
  static err_t mbox_trypost(sys_mbox_t* b, void* message) {
    auto* box = static_cast<Mailbox*>(b->object);
    if (!box->room.try_acquire()) return ERR_MEM;
    put(box, message);
    return ERR_OK;
  }
  static std::uint32_t mbox_fetch(sys_mbox_t* b, void** message, std::uint32_t timeout_ms) {
    auto* box = static_cast<Mailbox*>(b->object);
    const std::uint64_t start = clock::now();
    if (timeout_ms == 0) {
      box->items.acquire();
    } else if (!box->items.acquire_until(start + ticks_from_ms<clock>(timeout_ms))) {
      return SYS_ARCH_TIMEOUT;
    }
    take(box, message);
    return waited_ms(start);
  }
  static std::uint32_t mbox_tryfetch(sys_mbox_t* b, void** message) {
    auto* box = static_cast<Mailbox*>(b->object);
    if (!box->items.try_acquire()) return SYS_MBOX_EMPTY;
    take(box, message);
    return 0;
  }

  static sys_thread_t thread_new(const char* name, lwip_thread_fn entry, void* argument, int stack_bytes, int priority) {
    auto id = K::sched().spawn(entry, argument,
                               {.stack_bytes = static_cast<std::size_t>(stack_bytes > 0 ? (stack_bytes + 15) & ~15 : 0),
                                .name = name,
                                .priority = priority,
                                .detached = true});
    if (!id) K::panic("lwIP: sys_thread_new", id.error());  // lwIP has no way to hear of it
    return id.value();
  }

  // SYS_ARCH_PROTECT: nestable; the scheduler's critical section lives from the outermost
  // protect to its unprotect (and only one thread can be inside it).
  using Guard = sync::detail::critical_section<K>;
  static inline std::uint32_t depth = 0;
  alignas(Guard) static inline std::byte guard[sizeof(Guard)];
  static sys_prot_t protect() {
    // A thread preempted between the test and the construction finds depth 0 again when it
    // resumes: whoever ran meanwhile left the critical section before it could.
    if constexpr (!std::is_empty_v<Guard>)
      if (depth == 0) new (guard) Guard;
    return depth++;
  }
  static void unprotect(sys_prot_t) {
    if (--depth == 0) {
      if constexpr (!std::is_empty_v<Guard>) std::launder(reinterpret_cast<Guard*>(guard))->~Guard();
    }
  }

 private:
  static void put(Mailbox* box, void* message) {
    {
      [[maybe_unused]] sync::detail::critical_section<K> critical;
      box->slots[(box->head + box->count) % box->size] = message;
      ++box->count;
    }
    box->items.release();
  }
  static void take(Mailbox* box, void** message) {
    {
      [[maybe_unused]] sync::detail::critical_section<K> critical;
      void* m = box->slots[box->head];
      box->head = (box->head + 1) % box->size;
      --box->count;
      if (message) *message = m;
    }
    box->room.release();
  }
  static std::uint32_t waited_ms(std::uint64_t start) {
    const std::uint64_t ms = (clock::now() - start) * 1000u / clock::frequency();
    return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : static_cast<std::uint32_t>(ms);
  }
};

// A kernel that cannot block: one error, the sentence; the declarations keep the functions
// TESSERA_LWIP_SYS_ARCH defines from adding errors of their own.
template <class K>
struct LwipSys<K, false> {
  static_assert(lwip_can_block<K>, TESSERA_DETAIL_LWIP_NEEDS_THREADS);
  static err_t sem_new(sys_sem_t*, std::uint8_t);
  static void sem_free(sys_sem_t*);
  static void sem_signal(sys_sem_t*);
  static std::uint32_t sem_wait(sys_sem_t*, std::uint32_t);
  static err_t mutex_new(sys_mutex_t*);
  static void mutex_free(sys_mutex_t*);
  static void mutex_lock(sys_mutex_t*);
  static void mutex_unlock(sys_mutex_t*);
  static err_t mbox_new(sys_mbox_t*, int);
  static void mbox_free(sys_mbox_t*);
  static void mbox_post(sys_mbox_t*, void*);
  static err_t mbox_trypost(sys_mbox_t*, void*);
  static std::uint32_t mbox_fetch(sys_mbox_t*, void**, std::uint32_t);
  static std::uint32_t mbox_tryfetch(sys_mbox_t*, void**);
  static sys_thread_t thread_new(const char*, lwip_thread_fn, void*, int, int);
  static sys_prot_t protect();
  static void unprotect(sys_prot_t);
};

}  // namespace detail
}  // namespace tessera::net

// Defines lwIP's sys_arch C functions for kernel KernelType (see the top of this file). Once
// per image, at namespace scope.
#define TESSERA_LWIP_SYS_ARCH(KernelType)                                                                      \
  using tessera_lwip_sys = ::tessera::net::detail::LwipSys<KernelType>;                                       \
  extern "C" void sys_init() {}                                                                                \
  extern "C" err_t sys_sem_new(sys_sem_t* s, u8_t count) { return tessera_lwip_sys::sem_new(s, count); }       \
  extern "C" void sys_sem_free(sys_sem_t* s) { tessera_lwip_sys::sem_free(s); }                                \
  extern "C" void sys_sem_signal(sys_sem_t* s) { tessera_lwip_sys::sem_signal(s); }                            \
  extern "C" u32_t sys_arch_sem_wait(sys_sem_t* s, u32_t ms) { return tessera_lwip_sys::sem_wait(s, ms); }     \
  extern "C" err_t sys_mutex_new(sys_mutex_t* m) { return tessera_lwip_sys::mutex_new(m); }                   \
  extern "C" void sys_mutex_free(sys_mutex_t* m) { tessera_lwip_sys::mutex_free(m); }                          \
  extern "C" void sys_mutex_lock(sys_mutex_t* m) { tessera_lwip_sys::mutex_lock(m); }                          \
  extern "C" void sys_mutex_unlock(sys_mutex_t* m) { tessera_lwip_sys::mutex_unlock(m); }                      \
  extern "C" err_t sys_mbox_new(sys_mbox_t* b, int size) { return tessera_lwip_sys::mbox_new(b, size); }       \
  extern "C" void sys_mbox_free(sys_mbox_t* b) { tessera_lwip_sys::mbox_free(b); }                             \
  extern "C" void sys_mbox_post(sys_mbox_t* b, void* m) { tessera_lwip_sys::mbox_post(b, m); }                 \
  extern "C" err_t sys_mbox_trypost(sys_mbox_t* b, void* m) { return tessera_lwip_sys::mbox_trypost(b, m); }   \
  extern "C" err_t sys_mbox_trypost_fromisr(sys_mbox_t* b, void* m) {                                          \
    return tessera_lwip_sys::mbox_trypost(b, m);                                                               \
  }                                                                                                            \
  extern "C" u32_t sys_arch_mbox_fetch(sys_mbox_t* b, void** m, u32_t ms) {                                    \
    return tessera_lwip_sys::mbox_fetch(b, m, ms);                                                             \
  }                                                                                                            \
  extern "C" u32_t sys_arch_mbox_tryfetch(sys_mbox_t* b, void** m) { return tessera_lwip_sys::mbox_tryfetch(b, m); } \
  extern "C" sys_thread_t sys_thread_new(const char* name, lwip_thread_fn entry, void* argument, int stack_bytes, \
                                         int priority) {                                                      \
    return tessera_lwip_sys::thread_new(name, entry, argument, stack_bytes, priority);                         \
  }                                                                                                            \
  extern "C" sys_prot_t sys_arch_protect() { return tessera_lwip_sys::protect(); }                             \
  extern "C" void sys_arch_unprotect(sys_prot_t level) { tessera_lwip_sys::unprotect(level); }
