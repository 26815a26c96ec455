#pragma once
// platform::Hosted — the kernel as an ordinary Linux process, for development and for unit
// tests under AddressSanitizer/UndefinedBehaviorSanitizer.
//
// Console: stdout/stdin, bytes unchanged (a terminal's driver turns '\n' into "\r\n" for a
// process); read() polls, so like a UART's it never blocks. Clock: CLOCK_MONOTONIC in
// nanoseconds. RAM: one anonymous mapping of `ram_bytes` (reserved, not committed: pages cost
// nothing until touched). Exit: the process exit status. A fault (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE) is reported like a bare-metal trap (src/platform/hosted/fault.cpp). Cost: one mmap
// at boot.

#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tessera/api/platform.hpp"

extern "C" void tessera_hosted_install_fault_handlers();  // src/platform/hosted/fault.cpp

namespace tessera::platform {

struct Hosted {
  static constexpr const char* name = "platform::Hosted";
  static constexpr std::size_t ram_bytes = 64u << 20;

  struct console {
    static void init() {}
    static void put(char c) { write(&c, 1); }
    static void write(const char* text, std::size_t length) {
      while (length > 0) {
        const auto n = ::write(1, text, length);
        if (n <= 0) return;  // stdout closed: nothing sensible left to do with the bytes
        text += n;
        length -= static_cast<std::size_t>(n);
      }
    }
    static Result<char> read() {
      pollfd input{.fd = 0, .events = POLLIN, .revents = 0};
      if (::poll(&input, 1, 0) != 1 || !(input.revents & POLLIN)) return fail(Error::would_block);
      char c;
      if (::read(0, &c, 1) != 1) return fail(Error::would_block);  // the end of input: nothing will come
      return c;
    }
  };

  struct clock {
    static std::uint64_t now() {
      timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(t.tv_nsec);
    }
    static std::uint64_t frequency() { return 1'000'000'000u; }
  };

  static void early_init() {
    setvbuf(stdout, nullptr, _IOLBF, 0);  // like a UART: a line is out before anything else happens
    tessera_hosted_install_fault_handlers();
  }

  static MemoryRegion free_memory() {
    void* p = mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return {};
    auto* begin = static_cast<std::byte*>(p);
    return {begin, begin + ram_bytes};
  }

  static void run_constructors() {}  // the C runtime already ran them

  // The schedulers' idle: nothing to run until clock::now() reaches `deadline` (ns).
  static void idle_until(std::uint64_t deadline) {
    const timespec until{.tv_sec = static_cast<time_t>(deadline / 1'000'000'000u),
                         .tv_nsec = static_cast<long>(deadline % 1'000'000'000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) != 0) {}  // EINTR: again
  }

  [[noreturn]] static void exit(int status) { std::exit(status); }
};

static_assert(api::Platform<Hosted>);

}  // namespace tessera::platform
