// An image whose thread recurses past the end of its 2 KiB stack and then yields: the
// scheduler must find its stack canary overwritten and report the thread by name (status 70).

#include <cstdio>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<{.max_threads = 4}>, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

namespace {

// Every byte of each frame is written, so the recursion overwrites whatever lies below it.
[[gnu::noinline]] int descend(int n) {
  volatile char frame[256];
  for (auto& byte : frame) byte = static_cast<char>(n);
  if (n == 0) {
    App::sched().yield();  // the switch away is where the canary is checked
    return frame[0];
  }
  return descend(n - 1) + frame[255];
}

int overflow_main() {
  // Memory below the thread's stack that the overflow may damage (rather than the start of the
  // heap mapping on hosted, where the write would fault first).
  if (!App::alloc().allocate(64 << 10, 16)) return 1;
  auto deep = App::sched().spawn([](void*) { descend(24); }, nullptr, {.stack_bytes = 2048, .name = "deep"});
  if (!deep) return 1;
  std::printf("a thread recurses past the end of its 2 KiB stack\n");
  (void)App::sched().join(deep.value());
  std::printf("the overflow went unnoticed\n");
  return 0;
}

}  // namespace

TESSERA_MAIN(App, overflow_main)
