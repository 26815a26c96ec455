// std::thread in an image whose scheduler cannot block (sched::None): one error, from
// TESSERA_MAIN, that says why and what to pick instead.
// expect: std::thread, std::mutex, std::condition_variable and the other std:: thread headers included here need a scheduler that can block
// expect: use tessera::sched::Cooperative<>

#include <thread>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

int app_main() {
  std::thread t([] {});
  t.join();
  return 0;
}

TESSERA_MAIN(App, app_main)
