#pragma once
// net::Loopback — a network interface whose sent frames come back: tx_burst queues the very
// buffers it is given and rx_burst hands them out again, in order. Nothing is copied. For
// tests and for applications that talk to themselves.
//
// Options: .buffers — packet buffers in the pool, 1 to 65536 (default 64);
//          .mtu — largest payload after the Ethernet header, 68 to 9000 (default 1500).
// Cost: .buffers × (mtu + 14) bytes and ≈ 32 bytes per buffer from K::alloc() at init();
// rx_burst/tx_burst are a bounds check and a ring push or pop per frame.
// A frame shorter than an Ethernet header or longer than header + MTU is dropped and counted
// in tx_errors.

#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/api/net_device.hpp"
#include "tessera/net/frame.hpp"
#include "tessera/net/packet_pool.hpp"

namespace tessera::net {

struct LoopbackOptions {
  std::uint32_t buffers = 64;
  std::uint32_t mtu = 1500;
};

namespace detail {

class LoopbackCore {
 public:
  // `ring`: pool.size() entries, the caller's.
  void attach(PacketPool pool, std::uint32_t* ring, std::uint32_t mtu) {
    pool_ = pool;
    ring_ = ring;
    mtu_ = mtu;
  }
  bool attached() const { return ring_ != nullptr; }
  api::NetCounters counters() const { return counters_; }

  std::size_t tx_burst(std::span<api::PacketBuffer*> burst) {
    std::size_t count = 0;
    for (; count < burst.size(); ++count) {
      api::PacketBuffer* b = burst[count];
      if (!pool_.owns(b) || !frame_length_ok(b->length, mtu_)) {
        ++counters_.tx_errors;
        pool_.give_back(b);
        continue;
      }
      // Every buffer is either in the pool, the caller's or in this ring, so the ring (one
      // entry per buffer) cannot overflow; checked anyway.
      if (queued_ == pool_.size()) {
        ++counters_.tx_dropped;
        pool_.give_back(b);
        continue;
      }
      ring_[(head_ + queued_) % pool_.size()] = b->index;
      ++queued_;
      ++counters_.tx_packets;
      counters_.tx_bytes += b->length;
    }
    return count;
  }

  std::size_t rx_burst(std::span<api::PacketBuffer*> burst) {
    std::size_t count = 0;
    for (; count < burst.size() && queued_ > 0; ++count) {
      api::PacketBuffer* b = pool_.at(ring_[head_]);
      head_ = (head_ + 1) % pool_.size();
      --queued_;
      ++counters_.rx_packets;
      counters_.rx_bytes += b->length;
      burst[count] = b;
    }
    return count;
  }

  Result<api::PacketBuffer*> alloc_buffer() {
    if (auto* b = pool_.take()) return b;
    return fail(Error::out_of_memory);
  }
  void free_buffer(api::PacketBuffer* b) { pool_.give_back(b); }
  std::uint32_t mtu() const { return mtu_; }

 private:
  PacketPool pool_;
  std::uint32_t* ring_ = nullptr;
  std::uint32_t head_ = 0, queued_ = 0, mtu_ = 0;
  api::NetCounters counters_;
};

}  // namespace detail

template <LoopbackOptions Options = LoopbackOptions{}>
struct Loopback {
  static_assert(Options.buffers >= 1 && Options.buffers <= 65536,
                "net::Loopback: option .buffers must be from 1 to 65536");
  static_assert(Options.mtu >= 68 && Options.mtu <= 9000,
                "net::Loopback: option .mtu must be from 68 (IPv4's minimum) to 9000");
  static constexpr LoopbackOptions options = Options;

  template <class K>
  class bind {
   public:
    static constexpr const char* name = "net::Loopback";
    static constexpr LoopbackOptions options = Options;
    static constexpr bool present = true;
    static constexpr std::uint32_t stride = (Options.mtu + kEthernetHeader + 15) & ~15u;
    // Its largest block from K::alloc(): the packet buffers (Kernel checks it fits).
    static constexpr std::size_t alloc_block_bytes = std::size_t{Options.buffers} * stride;

    Result<void> init() {
      auto memory = K::alloc().allocate(std::size_t{Options.buffers} * stride, 64);
      auto table = K::alloc().allocate(sizeof(api::PacketBuffer) * Options.buffers, alignof(api::PacketBuffer));
      auto words = K::alloc().allocate(2 * sizeof(std::uint32_t) * Options.buffers, alignof(std::uint32_t));
      if (!memory || !table || !words) return fail(Error::out_of_memory);
      auto* stack = static_cast<std::uint32_t*>(words.value());
      detail::PacketPool pool;
      pool.attach(static_cast<api::PacketBuffer*>(table.value()), stack, static_cast<std::byte*>(memory.value()),
                  Options.buffers, stride, 0);
      core_.attach(pool, stack + Options.buffers, Options.mtu);
      return {};
    }

    // 02:00:00:00:00:00: locally administered (IEEE 802 §8.2.2), never on a real network.
    api::MacAddress mac() const { return {std::byte{0x02}}; }
    std::size_t mtu() const { return Options.mtu; }
    bool link_up() const { return core_.attached(); }
    api::NetCounters counters() const { return core_.counters(); }
    std::size_t rx_burst(std::span<api::PacketBuffer*> burst) { return core_.rx_burst(burst); }
    std::size_t tx_burst(std::span<api::PacketBuffer*> burst) { return core_.tx_burst(burst); }
    Result<api::PacketBuffer*> alloc_buffer() { return core_.alloc_buffer(); }
    void free_buffer(api::PacketBuffer* b) { core_.free_buffer(b); }

   private:
    detail::LoopbackCore core_;
  };
};

static_assert(api::NetDevice<Loopback<>::bind<void>>);

}  // namespace tessera::net
