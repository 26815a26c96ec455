#pragma once
// tessera::Kernel<Alloc, Sched, Net, Block, Platform> — the whole system as one type.
//
// Each slot takes a component. A component is either a class that models its API concept
// directly (alloc::Region<>, sched::None) or a recipe with a nested `template <class K> class
// bind` that needs its siblings: the kernel binds it to itself, so a component names siblings
// only as K::platform, K::alloc() … inside its member functions. Every call across an API is
// a direct call; there is no virtual function and no function-pointer table.
//
// The application names its type and its entry point in its own source file:
//
//   using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None,
//                               tessera::net::None, tessera::block::None,
//                               tessera::platform::QemuVirtAarch64>;
//   int app_main() { … return 0; }
//   TESSERA_MAIN(App, app_main)
//
// Boot order (boot()): platform early init (console, traps, page tables) → allocator gets
// the free RAM → C++ global constructors → scheduler → network device → block device →
// allocator hand-over (alloc::Staged) → the application, run by the scheduler → the platform
// exits with the application's status. On bare metal, malloc/free and new/delete call the
// kernel's allocator directly (detail/libc_heap.hpp), std::chrono's clocks read the
// platform's (detail/cxx_clock.hpp), and std::thread, std::mutex, std::condition_variable and
// atomic wait/notify block and wake through the scheduler (detail/std_thread_binding.hpp).

#include <cstddef>
#include <type_traits>
#include <utility>

#include "tessera/api/allocator.hpp"
#include "tessera/api/block_device.hpp"
#include "tessera/api/net_device.hpp"
#include "tessera/api/platform.hpp"
#include "tessera/api/scheduler.hpp"
#include "tessera/alloc/purpose.hpp"
#include "tessera/detail/cxx_clock.hpp"
#include "tessera/detail/libc_heap.hpp"
#include "tessera/detail/placeholder_kernel.hpp"
#include "tessera/detail/slot_checks.hpp"
#include "tessera/detail/std_thread_binding.hpp"
#include "tessera/exit_status.hpp"
#include "tessera/lib/format.hpp"

namespace tessera {

namespace detail {
template <class Component, class K>
struct Binder {
  using type = Component;  // already a complete component
};
template <class Component, class K>
  requires requires { typename Component::template bind<K>; }
struct Binder<Component, K> {
  using type = typename Component::template bind<K>;
};

template <class S>
constexpr unsigned cores_of() {
  if constexpr (requires { S::cores; })
    return S::cores;
  else
    return 1;
}

template <class C>
constexpr const char* name_of() {
  if constexpr (requires { C::name; })
    return C::name;
  else
    return "(not a component)";
}

// The largest block an allocator gives (its max_block: alloc::Buddy, alloc::Slab on a Buddy),
// or 0: no limit.
template <class Allocator>
constexpr std::size_t largest_block_of() {
  if constexpr (requires { Allocator::max_block; })
    return Allocator::max_block;
  else
    return 0;
}
// Whether the largest single blocks Device takes at init fit: page_block_bytes from the page
// allocator (VirtioNet's packet buffers, a Ramdisk's storage), alloc_block_bytes from the
// general one (Loopback's and UdpTunnel's packet buffers).
template <class Allocator, class Device>
constexpr bool device_blocks_fit() {
  if constexpr (api::Allocator<Allocator>) {
    if constexpr (requires { Device::page_block_bytes; }) {
      using Pages = std::remove_cvref_t<decltype(alloc::pages_of(std::declval<Allocator&>()))>;
      constexpr std::size_t largest = largest_block_of<Pages>();
      if (largest != 0 && Device::page_block_bytes > largest) return false;
    }
    if constexpr (requires { Device::alloc_block_bytes; }) {
      constexpr std::size_t largest = largest_block_of<Allocator>();
      if (largest != 0 && Device::alloc_block_bytes > largest) return false;
    }
  }
  return true;
}
}  // namespace detail

// The component a slot argument becomes inside kernel K.
template <class Component, class K>
using bound_t = typename detail::Binder<Component, K>::type;

// The kernel class; applications name it as Kernel<…> (below).
template <class Alloc, class Sched, class Net, class Block, class Platform>
class BasicKernel {
 public:
  using allocator_type = bound_t<Alloc, BasicKernel>;
  using scheduler_type = bound_t<Sched, BasicKernel>;
  using net_type = bound_t<Net, BasicKernel>;
  using block_type = bound_t<Block, BasicKernel>;
  using platform = bound_t<Platform, BasicKernel>;

  // One sentence per wrong argument (detail/slot_checks.hpp), at most one error each.
  static_assert(api::Allocator<allocator_type>, TESSERA_DETAIL_SLOT_ALLOC);
  static_assert(api::Scheduler<scheduler_type>, TESSERA_DETAIL_SLOT_SCHED);
  static_assert(api::NetDevice<net_type>, TESSERA_DETAIL_SLOT_NET);
  static_assert(api::BlockDevice<block_type>, TESSERA_DETAIL_SLOT_BLOCK);
  static_assert(!detail::is_foreign_platform<platform>, TESSERA_DETAIL_SLOT_FOREIGN_PLATFORM);
  static_assert(detail::is_foreign_platform<platform> || api::Platform<platform>, TESSERA_DETAIL_SLOT_PLATFORM);

  // True when every slot models its concept. Everything below is compiled only then, so a
  // wrong argument gives exactly one diagnostic (the static_assert above).
  static constexpr bool well_formed = api::Allocator<allocator_type> && api::Scheduler<scheduler_type> &&
                                      api::NetDevice<net_type> && api::BlockDevice<block_type> &&
                                      api::Platform<platform>;

  // A device's buffers are one block of an allocator: with alloc::Buddy they must fit its
  // largest, or init() fails at boot, out of memory (found by configfuzz's randconfig).
  static_assert(detail::device_blocks_fit<allocator_type, net_type>(),
                "tessera::Kernel: the network device's packet buffers are one block of the page allocator "
                "(net::VirtioNet: .buffers x 2 KiB; net::Loopback: .buffers x (.mtu + 14, rounded up to 16); "
                "net::UdpTunnel: .buffers x 2 KiB), larger than its largest block (alloc::Buddy: .page_size << "
                ".max_order); raise alloc::Buddy's .max_order or lower the device's .buffers");
  static_assert(detail::device_blocks_fit<allocator_type, block_type>(),
                "tessera::Kernel: the block device's storage is one block of the page allocator (block::Ramdisk: "
                ".block_size x .blocks), larger than its largest block (alloc::Buddy: .page_size << .max_order); "
                "raise alloc::Buddy's .max_order or lower the device's .blocks");

  // Cores the scheduler runs on: sched::PerCore<S0, S1, …> says how many; every other
  // scheduler runs on core 0 alone. More than one makes the heap (malloc, new, thread stacks)
  // take a lock between cores.
  static constexpr unsigned cores = detail::cores_of<scheduler_type>();

  // Names of the five components, in slot order (for banners and diagnostics).
  static constexpr const char* component_names[5] = {
      detail::name_of<allocator_type>(), detail::name_of<scheduler_type>(), detail::name_of<net_type>(),
      detail::name_of<block_type>(), detail::name_of<platform>()};

  // The component instances. Constant-initialised (no guard, nothing run at boot).
  static allocator_type& alloc() {
    static allocator_type instance;
    return instance;
  }
  static scheduler_type& sched() {
    static scheduler_type instance;
    return instance;
  }
  static net_type& net() {
    static net_type instance;
    return instance;
  }
  static block_type& block() {
    static block_type instance;
    return instance;
  }
  // Purpose-specific allocators (alloc/purpose.hpp): whole pages, small objects.
  static auto& page_allocator() { return alloc::pages_of(alloc()); }
  static auto& object_allocator() { return alloc::objects_of(alloc()); }

  // Called once by the platform's start-up code (through TESSERA_MAIN); never returns.
  template <int (*Main)()>
  [[noreturn]] static void boot() {
    if constexpr (well_formed) {
      platform::early_init();
      check(alloc().add_region(platform::free_memory()), "allocator: taking the platform's free memory");
      platform::run_constructors();
      check(sched().init(), "scheduler: init");
      check(net().init(), "network device: init");
      check(block().init(), "block device: init");
      if constexpr (requires { alloc().handover(); })  // alloc::Staged: the boot allocator's turn ends
        check(alloc().handover(), "allocator: hand-over to the application allocator");
      platform::exit(sched().run(Main));
    }
    __builtin_trap();
  }

  // Prints "tessera: panic: <what>: <error>" and ends the machine with exit_status_fault.
  [[noreturn]] static void panic(const char* what, Error error) {
    if constexpr (well_formed) {
      print("tessera: panic: ");
      print(what);
      print(": ");
      print(to_string(error));
      print("\n");
      platform::exit(exit_status_fault);
    }
    __builtin_trap();
  }

  // The C entry points of TESSERA_MAIN (src/ code calls these; see below).
  static void console_write(const char* text, std::size_t length) {
    if constexpr (well_formed) platform::console::write(text, length);
  }
  static int console_read() {
    if constexpr (well_formed) {
      const auto c = platform::console::read();
      return c.ok() ? static_cast<unsigned char>(c.value()) : -1;
    }
    return -1;
  }
  [[noreturn]] static void exit(int status) {
    if constexpr (well_formed) platform::exit(status);
    __builtin_trap();
  }

 private:
  static void check(Result<void> result, const char* what) {
    if (!result) panic(what, result.error());
  }
  static void print(const char* text) { console_write(text, lib::length(text)); }
};

namespace detail {
// Instantiates the kernel class where the alias below is used: a wrong slot argument is then
// reported (Kernel's static_asserts) with "required from here" at the application's `using`
// line, the line that is wrong, instead of where the type is first used (TESSERA_MAIN).
template <class K>
struct Checked {
  static_assert(sizeof(K) > 0);
  using type = K;
};
}  // namespace detail

// tessera::Kernel<Alloc, Sched, Net, Block, Platform>: what applications write.
template <class Alloc, class Sched, class Net, class Block, class Platform>
using Kernel = typename detail::Checked<BasicKernel<Alloc, Sched, Net, Block, Platform>>::type;

}  // namespace tessera

// Binds an application to its kernel: defines the C entry points that the platform's
// start-up, trap and libc glue code (src/) call. Use once, at namespace scope, in the
// application's source file. `tessera_main` is the application's entry as the platform sees
// it (benchmarks count boot instructions up to it).
#define TESSERA_MAIN(KernelType, entry)                                                                   \
  struct tessera_main_kernel_holder {                                                                     \
    using type = KernelType; /* the one place that names it: an error here is the only one */            \
  };                                                                                                      \
  using tessera_main_kernel = ::tessera::detail::KernelOf<tessera_main_kernel_holder>::type;              \
  extern "C" [[gnu::noinline]] int tessera_main() { return (entry)(); }                                   \
  extern "C" [[noreturn]] void tessera_boot() { tessera_main_kernel::template boot<&tessera_main>(); }    \
  extern "C" void tessera_console_write(const char* text, unsigned long length) {                         \
    tessera_main_kernel::console_write(text, length);                                                     \
  }                                                                                                       \
  extern "C" int tessera_console_read() { return tessera_main_kernel::console_read(); }                   \
  extern "C" [[noreturn]] void tessera_exit(int status) { tessera_main_kernel::exit(status); }            \
  TESSERA_DETAIL_LIBC_HEAP(tessera_main_kernel)                                                           \
  TESSERA_DETAIL_CXX_CLOCK(tessera_main_kernel)                                                           \
  TESSERA_DETAIL_STD_THREADS(tessera_main_kernel)
