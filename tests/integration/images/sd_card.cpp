// block::Bcm2835Emmc on QEMU raspi3b's SD card (run-qemu --disk FILE; tests/integration/block/
// sd_card_test.py drives it and checks the image file from the host between boots).
//
// Each boot: block 0 holds a marker "tessera sd-card test: boot N" written by the previous boot;
// if it is there, the previous boot's pattern is read back and compared (data that survived a
// reboot). Then this boot's pattern (N + 1) is written to blocks 1-64 in one request (CMD25) and
// to the last 8 blocks of the card one block at a time (CMD24), read back in one request (CMD18)
// and one block at a time (CMD17), compared, flushed, and the marker updated. Requests the
// driver must refuse: past the capacity, across its end, a misaligned buffer, a size that is not
// whole blocks, no blocks, a wait for a request never submitted. Exit status: the failures.
//
// The pattern (sd_card_test.py has the same): byte i of block b in boot n is
// (b * 7 + (b >> 8) * 3 + i * 13 + n * 101) mod 256.

#include <cstdio>
#include <cstring>

#include <tessera/block/bcm2835_emmc.hpp>
#include <tessera/block/request.hpp>
#include <tessera/tessera.hpp>

#include "../../target/check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None,
                            tessera::block::Bcm2835Emmc<>, tessera::platform::Raspi3>;

namespace {

using tessera::Error;
namespace block = tessera::block;
constexpr std::size_t kBlock = 512;
constexpr std::size_t kFront = 64, kBack = 8;  // blocks 1-64; the last 8
constexpr char kMarker[] = "tessera sd-card test: boot ";

alignas(16) std::byte buffer[kFront * kBlock];

std::byte pattern(unsigned boot, std::uint64_t block, std::size_t i) {
  return std::byte(static_cast<unsigned char>(block * 7 + (block >> 8) * 3 + i * 13 + boot * 101));
}
void fill(unsigned boot, std::uint64_t first, std::size_t blocks, std::byte* out) {
  for (std::size_t b = 0; b < blocks; ++b)
    for (std::size_t i = 0; i < kBlock; ++i) out[b * kBlock + i] = pattern(boot, first + b, i);
}
// The first mismatch as "block B byte I", or nullptr.
bool same(unsigned boot, std::uint64_t first, std::size_t blocks, const std::byte* in) {
  for (std::size_t b = 0; b < blocks; ++b)
    for (std::size_t i = 0; i < kBlock; ++i)
      if (in[b * kBlock + i] != pattern(boot, first + b, i)) {
        std::printf("sd: mismatch at block %llu byte %zu: 0x%02x, expected 0x%02x\n",
                    static_cast<unsigned long long>(first + b), i, static_cast<unsigned>(in[b * kBlock + i]),
                    static_cast<unsigned>(pattern(boot, first + b, i)));
        return false;
      }
  return true;
}

// The boot number in block 0, 0 if there is no marker.
unsigned previous_boot() {
  auto& sd = App::block();
  CHECK(block::read(sd, 0, {buffer, kBlock}).ok());
  if (std::memcmp(buffer, kMarker, sizeof kMarker - 1) != 0) return 0;
  unsigned n = 0;
  for (std::size_t i = sizeof kMarker - 1; i < kBlock && buffer[i] >= std::byte('0') && buffer[i] <= std::byte('9'); ++i)
    n = n * 10 + static_cast<unsigned>(buffer[i]) - '0';
  return n;
}

bool round_trip(unsigned boot) {
  auto& sd = App::block();
  const std::uint64_t last = sd.block_count() - kBack;
  bool ok = true;
  fill(boot, 1, kFront, buffer);
  ok = block::write(sd, 1, {buffer, kFront * kBlock}).ok() && ok;  // CMD25, CMD12
  for (std::size_t b = 0; b < kBack; ++b) {                          // CMD24 each
    fill(boot, last + b, 1, buffer);
    ok = block::write(sd, last + b, {buffer, kBlock}).ok() && ok;
  }
  CHECK(ok);  // the writes
  std::memset(buffer, 0, sizeof buffer);
  CHECK(block::read(sd, 1, {buffer, kFront * kBlock}).ok());  // CMD18, CMD12
  CHECK(same(boot, 1, kFront, buffer));
  std::memset(buffer, 0, sizeof buffer);
  bool read_ok = true;
  for (std::size_t b = 0; b < kBack; ++b)  // CMD17 each
    read_ok = block::read(sd, last + b, {buffer + b * kBlock, kBlock}).ok() && read_ok;
  CHECK(read_ok);
  CHECK(same(boot, last, kBack, buffer));
  std::memset(buffer, 0, sizeof buffer);
  CHECK(block::read(sd, last, {buffer, kBack * kBlock}).ok());  // the last block in a multiple-block read
  const bool back = same(boot, last, kBack, buffer);
  CHECK(back);
  CHECK(block::flush(sd).ok());
  std::memset(buffer, 0, kBlock);
  std::snprintf(reinterpret_cast<char*>(buffer), kBlock, "%s%u\n", kMarker, boot);
  CHECK(block::write(sd, 0, {buffer, kBlock}).ok());
  return ok && back;
}

void refused_requests() {
  auto& sd = App::block();
  const auto blocks = sd.block_count();
  CHECK(block::read(sd, blocks, {buffer, kBlock}).error() == Error::out_of_range);
  CHECK(block::write(sd, blocks - 1, {buffer, 2 * kBlock}).error() == Error::out_of_range);
  CHECK(block::read(sd, ~std::uint64_t{0}, {buffer, kBlock}).error() == Error::out_of_range);
  CHECK(block::read(sd, 0, {buffer + 4, kBlock}).error() == Error::misaligned);
  CHECK(block::write(sd, 0, {buffer + 8, kBlock}).error() == Error::misaligned);
  CHECK(block::read(sd, 0, {buffer, 100}).error() == Error::invalid_argument);
  tessera::api::BlockRequest none{.op = tessera::api::BlockOp::read, .block = 0, .count = 0, .buffer = buffer};
  CHECK(sd.submit(none).error() == Error::invalid_argument);
  CHECK(!none.done);
  tessera::api::BlockRequest never{.op = tessera::api::BlockOp::read, .block = 0, .count = 1, .buffer = buffer};
  CHECK(sd.wait(never).error() == Error::invalid_argument);
  CHECK(block::read(sd, blocks - 1, {buffer, kBlock}).ok());  // the last block is fine
}

int run() {
  auto& sd = App::block();
  std::printf("sd: %s: %llu blocks of %zu bytes, %s capacity (CSD version %u), SD clock %u Hz, %s bus\n",
              App::component_names[3], static_cast<unsigned long long>(sd.block_count()), sd.block_size(),
              sd.high_capacity() ? "high" : "standard", sd.csd_version(), static_cast<unsigned>(sd.clock_hz()),
              sd.four_bit_bus() ? "4-bit" : "1-bit");
  CHECK(sd.block_size() == kBlock);
  CHECK(sd.queue_depth() == 1);
  const unsigned before = previous_boot();
  if (before == 0) {
    std::printf("sd: first boot (no marker in block 0)\n");
  } else {
    bool kept = true;
    CHECK(block::read(App::block(), 1, {buffer, kFront * kBlock}).ok());
    kept = same(before, 1, kFront, buffer) && kept;
    CHECK(block::read(App::block(), sd.block_count() - kBack, {buffer, kBack * kBlock}).ok());
    kept = same(before, sd.block_count() - kBack, kBack, buffer) && kept;
    CHECK(kept);
    std::printf("sd: boot %u's data read back: %s\n", before, kept ? "ok" : "MISMATCH");
  }
  const unsigned boot = before + 1;
  const bool ok = round_trip(boot);
  std::printf("sd: boot %u wrote blocks 1-%zu and the last %zu, read back: %s\n", boot, kFront, kBack,
              ok ? "ok" : "MISMATCH");
  refused_requests();
  std::printf("sd: %d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
