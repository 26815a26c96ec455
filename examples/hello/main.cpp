// hello: the smallest tessera application. It names its kernel type, prints the components
// it was built from, allocates and frees memory through the kernel's allocator, and exits 0.

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>,   // bump allocator over the free RAM
                            tessera::sched::None,       // run to completion
                            tessera::net::None,
                            tessera::block::None,
                            tessera::platform::Target>;  // the platform this build is for

int hello_main() {
  std::printf("Hello from tessera\n");
  const char* const slots[5] = {"alloc", "sched", "net", "block", "platform"};
  for (int i = 0; i < 5; ++i) std::printf("  %-8s %s\n", slots[i], App::component_names[i]);

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
