// hello: the smallest tessera application. It prints the components its kernel type was built
// from, allocates and frees memory through the kernel's allocator, and exits 0.
//
// examples/hello/meson.build builds it both ways an application can get its kernel type:
//   hello           from the build's Kconfig configuration: tessera::configured_kernel
//                   (./tessera menuconfig changes it; -Dconfig for Meson)
//   hello-explicit  with HELLO_EXPLICIT_KERNEL defined: the type is spelled out below, and the
//                   configuration only contributes what the link needs (printf flavour)

#include <cstdio>

#include <tessera/tessera.hpp>

#if defined(HELLO_EXPLICIT_KERNEL)
using App = tessera::Kernel<tessera::alloc::Region<>,   // bump allocator over the free RAM
                            tessera::sched::None,       // run to completion
                            tessera::net::None,
                            tessera::block::None,
                            tessera::platform::Target>;  // the platform this build is for
#else
#include <tessera/configured.hpp>
using App = tessera::configured_kernel;  // what the Kconfig configuration says
#endif

// Allocators with a size cap (.bytes) report it; the others (Buddy, Slab, Staged) have none.
template <class Alloc>
concept HasByteCap = requires { Alloc::options.bytes; };

template <class Alloc>
void print_byte_cap() {
  if constexpr (HasByteCap<Alloc>) std::printf(" .bytes=%zu", static_cast<std::size_t>(Alloc::options.bytes));
}

// A scheduler's and a network device's options, after its name (nothing for those without).
template <class Sched>
void print_sched_options() {
  if constexpr (requires { Sched::core_scheduler_name(0u); }) {
    std::printf(" cores=%u:", App::cores);
    for (unsigned core = 0; core < App::cores; ++core)
      std::printf(" %s", Sched::core_scheduler_name(core));
  } else if constexpr (requires { Sched::options.max_threads; }) {
    std::printf(" .max_threads=%zu .stack_bytes=%zu", Sched::options.max_threads, Sched::options.stack_bytes);
    if constexpr (requires { Sched::policy::slice_us; })
      std::printf(" .slice_us=%u", static_cast<unsigned>(Sched::policy::slice_us));
  }
}
template <class Net>
void print_net_options() {
  if constexpr (requires { Net::options.queue_size; })
    std::printf(" .queue_size=%u .buffers=%u", static_cast<unsigned>(Net::options.queue_size),
                static_cast<unsigned>(Net::options.buffers));
  else if constexpr (requires { Net::options.mtu; })
    std::printf(" .buffers=%u .mtu=%u", static_cast<unsigned>(Net::options.buffers),
                static_cast<unsigned>(Net::options.mtu));
}

int hello_main() {
  std::printf("Hello from tessera\n");
  const char* const slots[5] = {"alloc", "sched", "net", "block", "platform"};
  for (int i = 0; i < 5; ++i) {
    std::printf("  %-8s %s", slots[i], App::component_names[i]);
    if (i == 1) print_sched_options<App::scheduler_type>();
    if (i == 2) print_net_options<App::net_type>();
    std::printf("\n");
  }
#if defined(HELLO_EXPLICIT_KERNEL)
  std::printf("configuration: Kernel<...> spelled out in examples/hello/main.cpp");
#else
  std::printf("configuration: Kconfig (tessera::configured_kernel), printf=%s", tessera::configured::printf_flavour);
#endif
  std::printf(", alloc: %s", App::component_names[0]);
  print_byte_cap<App::allocator_type>();
  std::printf("\n");

  auto& heap = App::alloc();
  const auto before = heap.stats();
  auto block = heap.allocate(4096, 64);
  if (!block) {
    std::printf("allocate(4096, 64) failed: %s\n", tessera::to_string(block.error()));
    return 1;
  }
  auto* bytes = static_cast<unsigned char*>(block.value());
  for (int i = 0; i < 4096; ++i) bytes[i] = static_cast<unsigned char>(i);
  std::printf("allocated 4096 bytes at %p (64-byte aligned: %s), %zu KiB free\n", block.value(),
              reinterpret_cast<unsigned long>(block.value()) % 64 == 0 ? "yes" : "no",
              heap.stats().bytes_free / 1024);
  if (auto freed = heap.deallocate(block.value()); !freed) {
    std::printf("deallocate failed: %s\n", tessera::to_string(freed.error()));
    return 1;
  }
  std::printf("freed it: %zu bytes in use (was %zu)\n", heap.stats().bytes_in_use, before.bytes_in_use);
  return heap.stats().bytes_in_use == before.bytes_in_use ? 0 : 1;
}

TESSERA_MAIN(App, hello_main)
