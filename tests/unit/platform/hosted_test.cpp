// platform::Hosted (include/tessera/platform/hosted.hpp): the console on file descriptors 0 and
// 1. read() never blocks: it answers Error::would_block when no byte waits (an open pipe with
// nothing in it, or the end of input); write() passes bytes through unchanged (a terminal's
// driver turns '\n' into "\r\n" for a process, not the process itself).

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <tessera/platform/hosted.hpp>

namespace {

using tessera::Error;
using Console = tessera::platform::Hosted::console;

// Puts one end of a new pipe in place of `fd` for the test's duration; the other end is `peer`.
struct PipeOn {
  int fd, saved, peer;
  explicit PipeOn(int target) : fd(target), saved(dup(target)) {
    int ends[2];
    REQUIRE(pipe(ends) == 0);
    const int mine = target == 0 ? ends[0] : ends[1];
    peer = target == 0 ? ends[1] : ends[0];
    REQUIRE(dup2(mine, target) == target);
    close(mine);
  }
  ~PipeOn() {
    dup2(saved, fd);
    close(saved);
    if (peer >= 0) close(peer);
  }
  void close_peer() {
    close(peer);
    peer = -1;
  }
};

TEST_CASE("read: would_block while nothing waits, the byte once one does, would_block at the end of input") {
  PipeOn input(0);
  CHECK(Console::read().error() == Error::would_block);  // an open pipe with nothing in it: no blocking
  REQUIRE(write(input.peer, "ab", 2) == 2);
  auto a = Console::read();
  REQUIRE(a.ok());
  CHECK(a.value() == 'a');
  auto b = Console::read();
  REQUIRE(b.ok());
  CHECK(b.value() == 'b');
  CHECK(Console::read().error() == Error::would_block);
  input.close_peer();
  CHECK(Console::read().error() == Error::would_block);  // end of input
}

TEST_CASE("write and put pass bytes through unchanged") {
  std::string got;
  {
    PipeOn output(1);
    Console::write("one\ntwo\r\n", 9);
    Console::put('!');
    char buffer[64];
    const auto n = read(output.peer, buffer, sizeof buffer);
    REQUIRE(n > 0);
    got.assign(buffer, static_cast<std::size_t>(n));
  }
  CHECK(got == "one\ntwo\r\n!");
}

}  // namespace
