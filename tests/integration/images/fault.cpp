// An image that faults on purpose: a store to an address with nothing behind it. The fault
// report (cause, FAR/address, exit status) is what tests/integration asserts on.

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

// Not RAM, not a device on QEMU virt (hw/arm/virt.c memory map) and not mapped in a Linux process.
constexpr unsigned long kNowhere = 0xdead0000;

int fault_main() {
  std::printf("about to store to 0x%lx\n", kNowhere);
  *reinterpret_cast<volatile int*>(kNowhere) = 1;
  std::printf("the store did not fault\n");
  return 0;
}

TESSERA_MAIN(App, fault_main)
