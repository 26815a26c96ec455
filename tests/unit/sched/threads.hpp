#pragma once
// The kernel the scheduler and synchronisation unit tests run their threads in: hosted,
// alloc::Tlsf over the platform's 64 MiB mapping, sched::Cooperative with 8 threads of
// 64 KiB (AddressSanitizer's frames are large). Every test runs its threads inside
// run_threads(), which starts from a fresh scheduler, and joins what it spawned, so tests do
// not see each other's threads. Inside a thread use CHECK, never REQUIRE: an exception must
// not unwind into the context switch's first frame.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <tessera/tessera.hpp>

#include "../printers.hpp"

namespace tessera::test {

using ThreadKernel = Kernel<alloc::Tlsf<>, sched::Cooperative<{.max_threads = 8, .stack_bytes = 64 * 1024}>,
                            net::None, block::None, platform::Hosted>;

inline int run_threads(int (*body)()) {
  static bool memory = ThreadKernel::alloc().add_region(platform::Hosted::free_memory()).ok();
  REQUIRE(memory);
  REQUIRE(ThreadKernel::sched().init().ok());
  return ThreadKernel::sched().run(body);
}

inline api::ThreadId spawn(api::ThreadEntry entry, void* argument = nullptr, api::SpawnOptions options = {}) {
  auto id = ThreadKernel::sched().spawn(entry, argument, options);
  CHECK(id.ok());
  return id.value_or(0);
}

// Runs `body` in a child process whose stdout goes to a pipe; returns its exit status and
// what it printed. For what ends the kernel (all threads blocked, a misused mutex).
struct ChildResult {
  int status;
  std::string output;
};
inline ChildResult in_child(int (*body)()) {
  int ends[2];
  REQUIRE(pipe(ends) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The kernel ends the child with exit(): leave before LeakSanitizer's exit-time check
    // (registered first, so run last) reports the parent's doctest state as leaks.
    on_exit([](int status, void*) { _exit(status); }, nullptr);
    dup2(ends[1], 1);
    close(ends[0]);
    close(ends[1]);
    ThreadKernel::platform::exit(run_threads(body));
  }
  close(ends[1]);
  ChildResult result{-1, {}};
  char buffer[512];
  for (ssize_t n; (n = read(ends[0], buffer, sizeof buffer)) > 0;) result.output.append(buffer, static_cast<std::size_t>(n));
  close(ends[0]);
  int wstatus = 0;
  REQUIRE(waitpid(pid, &wstatus, 0) == pid);
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1000 + WTERMSIG(wstatus);
  return result;
}

}  // namespace tessera::test
