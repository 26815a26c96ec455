// An image that idles for two seconds on core 0 (Platform::idle_until: wfi until the timer's
// deadline), while every other core waits to be started. idle_cpu_test.py checks that QEMU used
// far less host CPU than that: on raspi3 this is the park of cores 1-3 (spin_table.S), whose
// absence left three vCPUs spinning in the firmware's wfe loop, which QEMU does not sleep in.

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int idle_main() {
  using Clock = App::platform::clock;
  std::printf("idling for 2 s\n");
  const std::uint64_t start = Clock::now(), deadline = start + 2 * Clock::frequency();
  while (Clock::now() < deadline) App::platform::idle_until(deadline);
  std::printf("idled %u ms\n", static_cast<unsigned>((Clock::now() - start) * 1000 / Clock::frequency()));
  return 0;
}

TESSERA_MAIN(App, idle_main)
