// The control for cxx_thread.cpp: the same std:: thread headers with a scheduler that can
// block compile (and atomic wait/notify, which <atomic> declares now).
// expect: compiles

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <stop_token>
#include <thread>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::Cooperative<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

std::mutex m;
std::condition_variable cv;
std::atomic<int> flag{0};

int app_main() {
  std::thread t([] {
    std::lock_guard<std::mutex> lock(m);
    flag = 1;
    flag.notify_one();
  });
  flag.wait(0);
  t.join();
  std::shared_mutex shared;
  std::shared_lock<std::shared_mutex> reader(shared);
  std::jthread j([](std::stop_token stop) { (void)stop.stop_requested(); });
  std::counting_semaphore<2> s(1);
  s.acquire();
  return 0;
}

TESSERA_MAIN(App, app_main)
