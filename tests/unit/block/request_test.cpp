// The queued BlockDevice API (include/tessera/api/block_device.hpp) on block::Ramdisk's and
// block::File's cores, through the synchronous helpers (block/request.hpp): data written is
// read back; each bad request is refused with its reason and changes nothing; block::File
// reaches the host file; block::PowerLoss keeps unflushed writes volatile and, at its crash
// point, loses or tears them and fails every later request. block::None refuses everything.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <tessera/block/file.hpp>
#include <tessera/block/none.hpp>
#include <tessera/block/power_loss.hpp>
#include <tessera/block/ramdisk.hpp>
#include <tessera/block/request.hpp>

#include "../printers.hpp"

namespace {

using tessera::Error;
using tessera::api::BlockOp;
using tessera::api::BlockRequest;
namespace block = tessera::block;

struct alignas(16) Disk {
  std::byte bytes[512 * 64]{};
};

std::vector<std::byte> pattern(std::size_t n, int seed) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::byte(static_cast<unsigned char>(i * 7 + seed * 13 + 1));
  return v;
}

// Every device: round trip, then the reasons for refusing a request.
template <class Device>
void check_device(Device& d) {
  REQUIRE(d.block_size() == 512);
  REQUIRE(d.block_count() == 64);
  alignas(16) std::byte out[2048], back[2048];
  auto data = pattern(2048, 3);
  std::memcpy(out, data.data(), 2048);
  REQUIRE(block::write(d, 10, {out, 2048}).ok());
  REQUIRE(block::flush(d).ok());
  REQUIRE(block::read(d, 10, {back, 2048}).ok());
  CHECK(std::memcmp(back, data.data(), 2048) == 0);
  CHECK(block::read(d, 63, {back, 512}).ok());  // the last block

  // Reasons: past capacity, crossing the end, unaligned buffer, partial block, no blocks.
  CHECK(block::read(d, 64, {back, 512}).error() == Error::out_of_range);
  CHECK(block::write(d, 63, {out, 1024}).error() == Error::out_of_range);
  CHECK(block::read(d, 0, {back + 1, 512}).error() == Error::misaligned);
  CHECK(block::write(d, 0, {out + 8, 512}).error() == Error::misaligned);
  CHECK(block::read(d, 0, {back, 100}).error() == Error::invalid_argument);
  BlockRequest empty{.op = BlockOp::read, .block = 0, .count = 0, .buffer = back};
  CHECK(d.submit(empty).error() == Error::invalid_argument);
  CHECK_FALSE(empty.done);
  // Refused requests changed nothing.
  REQUIRE(block::read(d, 10, {back, 2048}).ok());
  CHECK(std::memcmp(back, data.data(), 2048) == 0);

  // Queued use: several requests submitted, then waited for (each finishes with its result).
  BlockRequest reqs[4];
  alignas(16) static std::byte bufs[4][512];
  for (int i = 0; i < 4; ++i) {
    reqs[i] = BlockRequest{.op = BlockOp::read, .block = std::uint64_t(10 + i), .count = 1, .buffer = bufs[i]};
    REQUIRE(d.submit(reqs[i]).ok());
  }
  d.poll();
  for (int i = 0; i < 4; ++i) {
    REQUIRE(d.wait(reqs[i]).ok());
    CHECK(reqs[i].done);
    CHECK(std::memcmp(bufs[i], data.data() + 512 * i, 512) == 0);
  }
}

}  // namespace

TEST_CASE("block::Ramdisk: round trip and refused requests") {
  static Disk disk;
  block::detail::RamdiskCore d(disk.bytes, 512, 64);
  REQUIRE(d.init().ok());
  check_device(d);
  block::detail::RamdiskCore detached;
  alignas(16) std::byte b[512];
  CHECK(block::read(detached, 0, {b, 512}).error() == Error::not_supported);
}

TEST_CASE("block::File: round trip through a host file, and a missing file") {
  char path[] = "/tmp/tessera-block-file-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, 512 * 64 + 100) == 0);  // a partial block at the end is not capacity
  block::detail::FileCore d;
  REQUIRE(d.open(path, 512).ok());
  check_device(d);
  // The bytes are in the file.
  alignas(16) std::byte raw[512];
  REQUIRE(pread(fd, raw, 512, 10 * 512) == 512);
  auto data = pattern(2048, 3);
  CHECK(std::memcmp(raw, data.data(), 512) == 0);
  close(fd);
  unlink(path);

  block::detail::FileCore missing;
  CHECK(missing.open("/nonexistent/tessera-disk.img", 512).error() == Error::not_supported);
  setenv("TESSERA_DISK", "/nonexistent/tessera-disk.img", 1);
  CHECK(missing.init_from_environment(512).error() == Error::not_supported);
}

TEST_CASE("block::None refuses every request") {
  block::None none;
  alignas(16) std::byte b[512];
  CHECK(block::read(none, 0, {b, 512}).error() == Error::not_supported);
  CHECK(block::flush(none).error() == Error::not_supported);
}

TEST_CASE("block::PowerLoss: unflushed writes are volatile; a crash drops some, tears one, fails the rest") {
  static Disk disk;
  block::detail::PowerLossDevice<block::detail::RamdiskCore> d;
  d.inner().attach(disk.bytes, 512, 64);
  check_device(d);  // behaves like a device while the power is on

  alignas(16) std::byte out[512], back[512];
  std::memset(out, 0xAB, 512);
  REQUIRE(block::write(d, 20, {out, 512}).ok());
  REQUIRE(block::read(d, 20, {back, 512}).ok());  // the cache is read back …
  CHECK(std::memcmp(back, out, 512) == 0);
  CHECK(disk.bytes[20 * 512] == std::byte{0});  // … but is not on the disk
  REQUIRE(block::flush(d).ok());
  CHECK(disk.bytes[20 * 512] == std::byte{0xAB});

  // 40 single-block writes, then power fails at the next request: some reach the disk.
  int seen_dropped = 0, seen_kept = 0, seen_torn = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    d.power_on();
    std::memset(disk.bytes, 0, sizeof disk.bytes);
    for (int i = 0; i < 40; ++i) {
      std::memset(out, 0x11 + i, 512);
      REQUIRE(block::write(d, i, {out, 512}).ok());
    }
    d.arm(1, seed);
    CHECK(block::flush(d).error() == Error::io_error);  // the request power failed under
    CHECK(d.crashed());
    CHECK(block::read(d, 0, {back, 512}).error() == Error::io_error);
    const auto& report = d.last_crash();
    CHECK(report.cached == 40);
    CHECK(report.kept + report.dropped == 40);
    seen_dropped += report.dropped > 0;
    seen_kept += report.kept > 0;
    seen_torn += report.torn;
    int whole = 0, partial = 0;
    for (int i = 0; i < 40; ++i) {
      const std::byte* b = disk.bytes + i * 512;
      int fresh = 0;
      for (int k = 0; k < 512; ++k) fresh += b[k] == std::byte(0x11 + i);
      if (fresh == 512) ++whole;
      else if (fresh > 0) {
        ++partial;
        CHECK(b[0] == std::byte(0x11 + i));  // a torn block: a prefix is new
        CHECK(b[511] == std::byte{0});
      }
    }
    CHECK(partial == (report.torn ? 1 : 0));
    CHECK(whole + partial == static_cast<int>(report.kept));
  }
  CHECK(seen_dropped > 0);
  CHECK(seen_kept > 0);
  CHECK(seen_torn > 0);
}
