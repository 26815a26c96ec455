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

int hello_main() {
  std::printf("Hello from tessera\n");
  const char* const slots[5] = {"alloc", "sched", "net", "block", "platform"};
  for (int i = 0; i < 5; ++i) std::printf("  %-8s %s\n", slots[i], App::component_names[i]);
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
