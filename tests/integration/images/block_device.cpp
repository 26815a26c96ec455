// The queued BlockDevice API on the platform's disk (block::VirtioBlk in QEMU virt,
// block::Bcm2835Emmc on raspi3b's SD card, block::File on hosted), in a whole kernel: 32
// requests in flight at once (on devices that finish requests inside submit(), 32 submitted one
// after the other) and their data read back; a full queue refuses the next request
// (would_block) until completions are reaped; each bad request is refused with its reason;
// flush. Built with TESSERA_TEST_COOPERATIVE, two threads do I/O at the same time and sleep in
// wait() (the driver's wait queue) instead of spinning alone, where the device has one.
// Built with TESSERA_TEST_INTERRUPTS (QEMU virt only), wait() sleeps in wfi until the device's
// interrupt: nothing else wakes this image (no timer runs under sched::None), so a device
// interrupt that never came would stop it at the runner's timeout. Built with
// TESSERA_TEST_PREEMPTIVE (QEMU only), the two threads run on sched::Preemptive, where wait()
// sleeps on the driver's wait queue with no deadline: only the device's interrupt wakes a
// thread whose request is in flight (a missing one would stop the image at the timeout too).
// The disk: 1 MiB, attached by the test (boot_test.py --disk-bytes).

#include <cstdio>
#include <cstring>

#include <tessera/block/request.hpp>
#include <tessera/tessera.hpp>

#include "../../target/check.hpp"

#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/block/file.hpp>
using Disk = tessera::block::File<>;
constexpr bool kQueued = false;
#elif defined(TESSERA_PLATFORM_RASPI3)
#include <tessera/block/bcm2835_emmc.hpp>
using Disk = tessera::block::Bcm2835Emmc<>;
constexpr bool kQueued = false;  // requests finish inside submit()
#else
#include <tessera/block/virtio_blk.hpp>
#if defined(TESSERA_TEST_INTERRUPTS)
using Disk = tessera::block::VirtioBlk<{.queue_depth = 32, .queue_size = 128, .interrupts = true}>;
#else
using Disk = tessera::block::VirtioBlk<{.queue_depth = 32, .queue_size = 128}>;
#endif
constexpr bool kQueued = true;
#endif

#if defined(TESSERA_TEST_COOPERATIVE)
using Sched = tessera::sched::Cooperative<>;
#define TESSERA_TEST_THREADS 1
#elif defined(TESSERA_TEST_PREEMPTIVE)
#include <tessera/sched/preemptive.hpp>
using Sched = tessera::sched::Preemptive<>;
#define TESSERA_TEST_THREADS 1
#else
using Sched = tessera::sched::None;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, Sched, tessera::net::None, Disk, tessera::platform::Target>;

namespace {

using tessera::Error;
using tessera::api::BlockOp;
using tessera::api::BlockRequest;
namespace block = tessera::block;

constexpr std::size_t kBlock = 4096;
alignas(16) std::byte buffers[33][kBlock];

std::byte pattern(std::size_t request, std::size_t i) { return std::byte(static_cast<unsigned char>(request * 31 + i * 7 + 1)); }

void queued_round_trip() {
  auto& disk = App::block();
  static BlockRequest requests[33];
  for (std::size_t r = 0; r < 32; ++r) {
    for (std::size_t i = 0; i < kBlock; ++i) buffers[r][i] = pattern(r, i);
    requests[r] = BlockRequest{.op = BlockOp::write, .block = r * 8, .count = 8, .buffer = buffers[r]};
  }
  bool all = true;
  for (std::size_t r = 0; r < 32; ++r) all = all && disk.submit(requests[r]).ok();
  CHECK(all);  // 32 writes in flight
  if constexpr (kQueued) {
    CHECK(disk.in_flight() > 0);
    BlockRequest extra{.op = BlockOp::read, .block = 0, .count = 8, .buffer = buffers[32]};
    CHECK(disk.submit(extra).error() == Error::would_block);  // the queue is full …
    CHECK(!extra.done);
  }
  for (std::size_t r = 0; r < 32; ++r) all = all && disk.wait(requests[r]).ok();
  CHECK(all);
  if constexpr (kQueued) CHECK(disk.in_flight() == 0);  // … until they are reaped
  CHECK(block::flush(disk).ok());

  for (std::size_t r = 0; r < 32; ++r) {
    std::memset(buffers[r], 0, kBlock);
    requests[r] = BlockRequest{.op = BlockOp::read, .block = (31 - r) * 8, .count = 8, .buffer = buffers[r]};
    all = all && disk.submit(requests[r]).ok();
  }
  std::size_t reaped = 0;
  while (reaped < 32) {
    disk.poll();
    reaped = 0;
    for (auto& r : requests) reaped += r.done;
  }
  bool same = true;
  for (std::size_t r = 0; r < 32; ++r) {
    same = same && requests[r].result().ok();
    for (std::size_t i = 0; i < kBlock; ++i) same = same && buffers[r][i] == pattern(31 - r, i);
  }
  CHECK(same);  // 32 reads in flight, data as written
}

void refused_requests() {
  auto& disk = App::block();
  const auto blocks = disk.block_count();
  CHECK(block::read(disk, blocks, {buffers[0], 512}).error() == Error::out_of_range);
  CHECK(block::write(disk, blocks - 1, {buffers[0], 1024}).error() == Error::out_of_range);
  CHECK(block::read(disk, 0, {buffers[0] + 4, 512}).error() == Error::misaligned);
  CHECK(block::read(disk, 0, {buffers[0], 100}).error() == Error::invalid_argument);
  CHECK(block::read(disk, blocks - 1, {buffers[0], 512}).ok());  // the last block is fine
}

#if defined(TESSERA_TEST_THREADS)
int worker_errors = 0;
void worker(void* argument) {
  const auto first = reinterpret_cast<std::uintptr_t>(argument);
  alignas(16) static std::byte mine[2][kBlock];
  std::byte* buffer = mine[first == 0 ? 0 : 1];
  for (int round = 0; round < 50; ++round) {
    std::memset(buffer, round + static_cast<int>(first), kBlock);
    if (!block::write(App::block(), 1024 + first * 8, {buffer, kBlock})) ++worker_errors;
    std::memset(buffer, 0, kBlock);
    if (!block::read(App::block(), 1024 + first * 8, {buffer, kBlock})) ++worker_errors;
    if (buffer[kBlock - 1] != std::byte(static_cast<unsigned char>(round + first))) ++worker_errors;
  }
}
#endif

int run() {
  auto& disk = App::block();
  std::printf("%s: %llu blocks of %zu bytes, queue depth %zu\n", App::component_names[3],
              static_cast<unsigned long long>(disk.block_count()), disk.block_size(), disk.queue_depth());
  CHECK(disk.block_count() == 2048);
  CHECK(disk.block_size() == 512);
  queued_round_trip();
  refused_requests();
#if defined(TESSERA_TEST_THREADS)
  auto a = App::sched().spawn(worker, reinterpret_cast<void*>(std::uintptr_t{0}), {.name = "io-a"});
  auto b = App::sched().spawn(worker, reinterpret_cast<void*>(std::uintptr_t{8}), {.name = "io-b"});
  CHECK(a.ok() && b.ok());
  CHECK(App::sched().join(a.value()).ok() && App::sched().join(b.value()).ok());
  CHECK(worker_errors == 0);  // two threads' requests interleaved through wait()
#endif
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
