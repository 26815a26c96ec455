// Block benchmark image (run by tests/bench/block.py through ./tessera bench block): 4 KiB
// requests through the BlockDevice API on block::VirtioBlk, then kvstore's Store on the same
// disk, all in one QEMU run. Each phase runs for a fixed time on the platform clock (QEMU's
// counter follows the host's time) and counts finished operations:
//   seq_write: 4 KiB writes over the first 32 MiB, 32 in flight (also fills what is read next)
//   seq_read: the same 32 MiB read in order, 32 in flight
//   rand_read_qd1/qd32, rand_write_qd1/qd32: 4 KiB at random 4 KiB-aligned places in it
//   wait_read_qd1, wait_write_qd1: the same one at a time through block::read/write, each
//     waiting in wait(): what the scheduler's way of waiting costs
//   kv_put (each put waits for its flush) and kv_get (random keys of those put)
// Prints one JSON line. Needs a disk of at least 64 MiB. Built with TESSERA_BENCH_COOPERATIVE
// or TESSERA_BENCH_PREEMPTIVE, the image runs on that scheduler and measures only what waits
// (wait_read_qd1, wait_write_qd1, kv_put): block::VirtioBlk's wait() sleeps 50 µs between
// polls under sched::Cooperative and until the device's interrupt under sched::Preemptive.

#include <cstdio>
#include <cstring>
#include <span>
#include <string>

#include <tessera/block/request.hpp>
#include <tessera/block/virtio_blk.hpp>
#include <tessera/tessera.hpp>

#include "store.hpp"

#if defined(TESSERA_BENCH_PREEMPTIVE)
#include <tessera/sched/preemptive.hpp>
using Sched = tessera::sched::Preemptive<>;
#elif defined(TESSERA_BENCH_COOPERATIVE)
using Sched = tessera::sched::Cooperative<>;
#else
using Sched = tessera::sched::None;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, Sched, tessera::net::None,
                            tessera::block::VirtioBlk<{.queue_depth = 32, .queue_size = 128}>,
                            tessera::platform::Target>;

namespace {

using tessera::api::BlockOp;
using tessera::api::BlockRequest;
using Clock = App::platform::clock;

constexpr std::uint32_t kOp = 8;                  // 4 KiB in 512-byte blocks
constexpr std::uint64_t kRegion = 32u << 20 >> 9;  // 32 MiB, in blocks
constexpr std::uint64_t kPhaseTicks_divisor = 2;   // each phase: half a second

alignas(16) std::byte buffers[32][4096];
BlockRequest requests[32];
std::uint64_t rng_state = 88172645463325252u;

std::uint64_t random_op() {  // xorshift64: a 4 KiB-aligned block in the region
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (rng_state % (kRegion / kOp)) * kOp;
}

// Runs `depth` requests at a time for half a second; operations per second.
template <class Next>
double phase(BlockOp op, unsigned depth, Next&& next_block) {
  auto& disk = App::block();
  const std::uint64_t start = Clock::now(), end = start + Clock::frequency() / kPhaseTicks_divisor;
  std::uint64_t done = 0;
  for (unsigned i = 0; i < depth; ++i) {
    requests[i] = BlockRequest{.op = op, .block = next_block(), .count = kOp, .buffer = buffers[i]};
    (void)disk.submit(requests[i]);
  }
  unsigned outstanding = depth;
  bool stopping = false;
  while (outstanding > 0) {
    if (disk.poll() == 0) continue;
    if (!stopping && Clock::now() >= end) stopping = true;
    for (unsigned i = 0; i < depth; ++i) {
      if (!requests[i].done || requests[i].buffer == nullptr) continue;
      if (!requests[i].result()) std::printf("block bench: request failed: %s\n", tessera::to_string(requests[i].error));
      ++done;
      if (stopping) {
        requests[i].buffer = nullptr;  // finished, not resubmitted
        --outstanding;
        continue;
      }
      requests[i] = BlockRequest{.op = op, .block = next_block(), .count = kOp, .buffer = buffers[i]};
      (void)disk.submit(requests[i]);
    }
  }
  const double seconds = static_cast<double>(Clock::now() - start) / static_cast<double>(Clock::frequency());
  return static_cast<double>(done) / seconds;
}

// One request at a time through block::read/write (submit, then wait()) for half a second;
// operations per second (0 if one failed).
double wait_phase(BlockOp op) {
  auto& disk = App::block();
  const std::uint64_t start = Clock::now(), end = start + Clock::frequency() / kPhaseTicks_divisor;
  std::uint64_t done = 0;
  while (Clock::now() < end) {
    const std::span<std::byte> buffer{buffers[0], sizeof buffers[0]};
    auto r = op == BlockOp::read ? tessera::block::read(disk, random_op(), buffer)
                                 : tessera::block::write(disk, random_op(), buffer);
    if (!r) {
      std::printf("block bench: request failed: %s\n", tessera::to_string(r.error()));
      return 0;
    }
    ++done;
  }
  return static_cast<double>(done) * static_cast<double>(Clock::frequency()) / static_cast<double>(Clock::now() - start);
}

// kvstore puts (each waits for its flush) for half a second on `store`; puts per second (0: one failed).
template <class Store>
double kv_put_phase(Store& store, std::uint64_t& puts) {
  std::string value(100, 'v');
  puts = 0;
  const std::uint64_t start = Clock::now();
  while (Clock::now() - start < Clock::frequency() / kPhaseTicks_divisor) {
    if (!store.put("key" + std::to_string(puts % 1000), value)) {
      std::printf("block bench: put failed\n");
      return 0;
    }
    ++puts;
  }
  return static_cast<double>(puts) * static_cast<double>(Clock::frequency()) /
         static_cast<double>(Clock::now() - start);
}

// Whole numbers: the default printf has no floating point (CONFIG_PRINTF_DOUBLE).
unsigned long long n(double x) { return static_cast<unsigned long long>(x + 0.5); }

int bench_main() {
  auto& disk = App::block();
  if (disk.block_count() < 2 * kRegion) {
    std::printf("block bench: the disk needs at least 64 MiB\n");
    return 1;
  }
  for (auto& b : buffers)
    for (std::size_t i = 0; i < sizeof b; ++i) b[i] = std::byte(static_cast<unsigned char>(i * 13 + 5));
  static kv::Store<App::block_type> store(disk);
  std::uint64_t puts = 0;
  if constexpr (App::scheduler_type::can_block) {  // only what waits: the scheduler's part
    const double wait_read_qd1 = wait_phase(BlockOp::read), wait_write_qd1 = wait_phase(BlockOp::write);
    if (!store.open()) {
      std::printf("block bench: the store did not open\n");
      return 1;
    }
    const double kv_put = kv_put_phase(store, puts);
    std::printf("{\"scheduler\": \"%s\", \"wait_read_iops_qd1\": %llu, \"wait_write_iops_qd1\": %llu, "
                "\"kv_put_per_s\": %llu}\n",
                App::component_names[1], n(wait_read_qd1), n(wait_write_qd1), n(kv_put));
    return wait_read_qd1 > 0 && wait_write_qd1 > 0 && kv_put > 0 ? 0 : 1;
  }
  std::uint64_t sequential = 0;
  auto in_order = [&] {
    const std::uint64_t b = sequential;
    sequential = (sequential + kOp) % kRegion;
    return b;
  };
  const double seq_write = phase(BlockOp::write, 32, in_order);
  (void)tessera::block::flush(disk);
  sequential = 0;
  const double seq_read = phase(BlockOp::read, 32, in_order);
  const double rand_read_qd1 = phase(BlockOp::read, 1, random_op);
  const double rand_read_qd32 = phase(BlockOp::read, 32, random_op);
  const double rand_write_qd1 = phase(BlockOp::write, 1, random_op);
  const double rand_write_qd32 = phase(BlockOp::write, 32, random_op);
  const double wait_read_qd1 = wait_phase(BlockOp::read), wait_write_qd1 = wait_phase(BlockOp::write);
  (void)tessera::block::flush(disk);

  if (!store.open()) {
    std::printf("block bench: the store did not open\n");
    return 1;
  }
  const double kv_put = kv_put_phase(store, puts);
  if (kv_put == 0) return 1;
  static char out[kv::kMaxValue];
  std::uint64_t gets = 0;
  const std::uint64_t keys = puts < 1000 ? puts : 1000;
  const std::uint64_t start = Clock::now();
  while (Clock::now() - start < Clock::frequency() / kPhaseTicks_divisor) {
    auto got = store.get("key" + std::to_string(random_op() % keys), {out, sizeof out});
    if (!got || !got.value().found) {
      std::printf("block bench: get failed\n");
      return 1;
    }
    ++gets;
  }
  const double kv_get = static_cast<double>(gets) * static_cast<double>(Clock::frequency()) /
                        static_cast<double>(Clock::now() - start);
  std::printf("{\"seq_write_iops\": %llu, \"seq_read_iops\": %llu, \"rand_read_iops_qd1\": %llu, "
              "\"rand_read_iops_qd32\": %llu, \"rand_write_iops_qd1\": %llu, \"rand_write_iops_qd32\": %llu, "
              "\"wait_read_iops_qd1\": %llu, \"wait_write_iops_qd1\": %llu, "
              "\"kv_put_per_s\": %llu, \"kv_get_per_s\": %llu, \"request_bytes\": 4096, \"queue_depth\": %zu}\n",
              n(seq_write), n(seq_read), n(rand_read_qd1), n(rand_read_qd32), n(rand_write_qd1), n(rand_write_qd32),
              n(wait_read_qd1), n(wait_write_qd1), n(kv_put), n(kv_get), disk.queue_depth());
  return 0;
}

}  // namespace

TESSERA_MAIN(App, bench_main)
