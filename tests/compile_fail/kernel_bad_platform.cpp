// A platform without a console (or clock): everything else a platform needs is there.
// expect: the 5th argument (Platform) does not model tessera::api::Platform
// expect: kernel_bad_platform.cpp:16:

#include <tessera/tessera.hpp>

struct NoConsole {
  static constexpr const char* name = "NoConsole";
  static void early_init() {}
  static tessera::MemoryRegion free_memory() { return {}; }
  static void run_constructors() {}
  [[noreturn]] static void exit(int) { __builtin_trap(); }
};

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, NoConsole>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
