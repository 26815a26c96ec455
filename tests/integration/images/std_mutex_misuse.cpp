// An image whose first thread locks a std::mutex it already holds: without NDEBUG this is
// reported with the thread's name (status 70) instead of waiting for itself forever.

#include <cstdio>
#include <mutex>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

namespace {
std::mutex m;
}

int misuse_main() {
  std::printf("locking a std::mutex twice\n");
  m.lock();
  m.lock();
  std::printf("the second lock returned\n");
  return 0;
}

TESSERA_MAIN(App, misuse_main)
