#pragma once
// net::VirtioNet — a virtio network card (virtio 1.2 §5.1) on the virtio-mmio transport,
// found by scanning the platform's virtio-mmio slots (K::platform::virtio_mmio). Frames are
// received into and sent from a pool of packet buffers the driver owns; nothing is copied.
// One receive and one transmit queue, polled: rx_burst and tx_burst look at the used rings.
//
// Options: .queue_size — entries per virtqueue at most (the device's own maximum if smaller),
//                     a power of two, 2 to 32768 (default 256);
//          .buffers — packet buffers in the pool, at least 2 (default 512): up to half (and
//                     at most .queue_size) wait in the receive queue, the rest are for the
//                     application and the transmit queue;
//          .interrupts — ask for interrupts and enable the device's line at the platform's
//                     interrupt controller (K::platform::interrupt_controller::enable) instead
//                     of polling quietly (default false; needs a platform with one).
// Cost: two virtqueues (≈ 26 bytes per entry each) and .buffers × 2 KiB from
// K::page_allocator(), the buffer table (≈ 28 bytes per buffer) from K::alloc(); ~100 bytes
// of state. rx_burst/tx_burst: a few loads and stores per frame and one MMIO write (the
// notification) per burst that posted anything.
//
// A missing device is a console message and Error::not_supported from init(), which the
// kernel turns into a panic (exit status 70).

#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/api/net_device.hpp"
#include "tessera/drivers/virtio/mmio.hpp"
#include "tessera/drivers/virtio/virtqueue.hpp"
#include "tessera/lib/say.hpp"
#include "tessera/net/frame.hpp"
#include "tessera/net/packet_pool.hpp"

namespace tessera::net {

struct VirtioNetOptions {
  std::uint32_t queue_size = 256;
  std::uint32_t buffers = 512;
  bool interrupts = false;
};

namespace detail {

constexpr std::uint32_t smaller(std::uint32_t a, std::uint32_t b) { return a < b ? a : b; }
constexpr std::uint32_t power_of_two_at_most(std::uint32_t n) {
  std::uint32_t p = 1;
  while (p <= n / 2) p *= 2;
  return p;
}

// virtio 1.2 §5.1.3 "Feature bits".
inline constexpr unsigned kNetFeatureMac = 5;      // VIRTIO_NET_F_MAC: config.mac is valid
inline constexpr unsigned kNetFeatureStatus = 16;  // VIRTIO_NET_F_STATUS: config.status is valid
// §5.1.4 struct virtio_net_config: mac[6] at 0, le16 status at 6; VIRTIO_NET_S_LINK_UP = 1.
inline constexpr std::uint32_t kNetConfigMac = 0, kNetConfigStatus = 6;
inline constexpr std::uint16_t kNetStatusLinkUp = 1;
// §5.1.6 struct virtio_net_hdr: 12 bytes in front of every frame once VIRTIO_F_VERSION_1 is
// negotiated (num_buffers included). All zero on transmit: no checksum offload, no GSO.
inline constexpr std::uint32_t kNetHeader = 12;
// §5.1.2: receiveq1 is queue 0, transmitq1 queue 1.
inline constexpr std::uint32_t kReceiveQueue = 0, kTransmitQueue = 1;
inline constexpr std::uint32_t kBufferStride = 2048, kBufferHeadroom = 64;  // headroom ≥ kNetHeader

// One queue's block rounded up to 16 bytes, so the second queue starts 16-byte aligned as
// SplitQueue::attach needs (bytes_for(2) is 76, bytes_for(4) 136: found by configfuzz, a
// queue of 2 failed init; tests/configfuzz/regressions/virtio-net-queue-of-two.config).
constexpr std::size_t ring_stride(std::uint32_t queue_size) {
  return (drivers::virtio::SplitQueue::bytes_for(queue_size) + 15) & ~std::size_t{15};
}

// The size-independent driver: every VirtioNet<Options>::bind<K> forwards here.
class VirtioNetCore {
 public:
  // After MmioTransport::negotiate: sets up both queues in `rings` (two SplitQueue blocks)
  // and the pool, fills the receive queue and says DRIVER_OK.
  Result<void> start(drivers::virtio::MmioTransport transport, std::uint64_t features, std::byte* rings,
                     std::uint32_t queue_size, PacketPool pool, bool interrupts) {
    using drivers::virtio::SplitQueue;
    transport_ = transport;
    pool_ = pool;
    if (auto r = rx_.attach(rings, queue_size); !r) return r;
    if (auto r = tx_.attach(rings + ring_stride(queue_size), queue_size); !r) return r;
    rx_.set_interrupts(interrupts);
    tx_.set_interrupts(false);  // a sent frame needs no attention until the next tx_burst
    if (auto r = transport_.setup_queue(kReceiveQueue, rx_); !r) return r;
    if (auto r = transport_.setup_queue(kTransmitQueue, tx_); !r) return r;
    has_status_ = (features >> kNetFeatureStatus & 1) != 0;
    if ((features >> kNetFeatureMac & 1) != 0) {
      for (std::uint32_t i = 0; i < 6; ++i) mac_[i] = std::byte{transport_.config8(kNetConfigMac + i)};
    } else {
      mac_ = {std::byte{0x02}, {}, {}, {}, {}, std::byte{0x01}};  // locally administered (IEEE 802 §8.2.2)
    }
    rx_target_ = pool_.size() / 2 < queue_size ? pool_.size() / 2 : queue_size;
    transport_.driver_ok();
    refill();
    return {};
  }

  api::MacAddress mac() const { return mac_; }
  bool link_up() const {
    if (!has_status_) return transport_.found();  // §5.1.4.2: without the feature, assume up
    auto t = transport_;
    return (t.config16(kNetConfigStatus) & kNetStatusLinkUp) != 0;
  }
  api::NetCounters counters() const { return counters_; }

  std::size_t rx_burst(std::span<api::PacketBuffer*> burst) {
    std::size_t count = 0;
    while (count < burst.size()) {
      auto used = rx_.pop_used();
      if (!used) break;
      api::PacketBuffer* b = pool_.at(used.value().token);
      --rx_posted_;
      if (b == nullptr) {  // a token we never gave: a device bug
        ++counters_.rx_errors;
        continue;
      }
      const std::uint32_t written = used.value().written;
      if (written < kNetHeader || !frame_length_ok(written - kNetHeader, kDefaultMtu)) {
        ++counters_.rx_errors;
        pool_.give_back(b);
        continue;
      }
      b->length = written - kNetHeader;
      ++counters_.rx_packets;
      counters_.rx_bytes += b->length;
      burst[count++] = b;
    }
    refill();
    return count;
  }

  std::size_t tx_burst(std::span<api::PacketBuffer*> burst) {
    reclaim();
    std::size_t count = 0;
    bool posted = false;
    for (; count < burst.size(); ++count) {
      api::PacketBuffer* b = burst[count];
      if (!pool_.owns(b) || !frame_length_ok(b->length, kDefaultMtu)) {
        ++counters_.tx_errors;
        pool_.give_back(b);  // refused for a foreign buffer: then it was never ours to keep
        continue;
      }
      std::byte* header = b->data - kNetHeader;
      for (std::uint32_t i = 0; i < kNetHeader; ++i) header[i] = std::byte{0};
      const drivers::virtio::Segment segment{.address = reinterpret_cast<std::uintptr_t>(header),
                                             .length = b->length + kNetHeader};
      if (!tx_.add({&segment, 1}, b->index)) break;  // queue full: the rest stay the caller's
      ++counters_.tx_packets;
      counters_.tx_bytes += b->length;
      posted = true;
    }
    if (posted) {
      tx_.publish();
      transport_.notify(kTransmitQueue);
    }
    return count;
  }

  Result<api::PacketBuffer*> alloc_buffer() {
    if (pool_.available() == 0) reclaim();
    if (auto* b = pool_.take()) return b;
    return fail(Error::out_of_memory);
  }
  void free_buffer(api::PacketBuffer* b) { pool_.give_back(b); }

  // The interrupt seam: what a handler calls (acknowledges the device's interrupt status).
  std::uint32_t acknowledge_interrupt() { return transport_.acknowledge_interrupt(); }
  std::uint32_t irq() const { return transport_.irq(); }

 private:
  // Sent frames' buffers back to the pool.
  void reclaim() {
    while (auto used = tx_.pop_used()) pool_.give_back(pool_.at(used.value().token));
  }
  // Keeps rx_target_ buffers waiting in the receive queue.
  void refill() {
    bool posted = false;
    while (rx_posted_ < rx_target_) {
      api::PacketBuffer* b = pool_.take();
      if (b == nullptr) break;
      const drivers::virtio::Segment segment{.address = reinterpret_cast<std::uintptr_t>(b->data - kNetHeader),
                                             .length = b->capacity + kNetHeader,
                                             .device_writes = true};
      if (!rx_.add({&segment, 1}, b->index)) {
        pool_.give_back(b);
        break;
      }
      ++rx_posted_;
      posted = true;
    }
    if (posted) {
      rx_.publish();
      transport_.notify(kReceiveQueue);
    }
  }

  drivers::virtio::MmioTransport transport_;
  drivers::virtio::SplitQueue rx_, tx_;
  PacketPool pool_;
  api::NetCounters counters_;
  api::MacAddress mac_{};
  std::uint32_t rx_posted_ = 0, rx_target_ = 0;
  bool has_status_ = false;
};

}  // namespace detail

template <VirtioNetOptions Options = VirtioNetOptions{}>
struct VirtioNet {
  static_assert(drivers::virtio::SplitQueue::valid_size(Options.queue_size) && Options.queue_size >= 2,
                "net::VirtioNet: option .queue_size must be a power of two from 2 to 32768");
  static_assert(Options.buffers >= 2 && Options.buffers <= (1u << 20),
                "net::VirtioNet: option .buffers must be from 2 to 1048576");
  static constexpr VirtioNetOptions options = Options;

  template <class K>
  class bind {
   public:
    static constexpr const char* name = "net::VirtioNet";
    static constexpr VirtioNetOptions options = Options;
    // Its largest block from the page allocator: the packet buffers (Kernel checks it fits).
    static constexpr std::size_t page_block_bytes = std::size_t{Options.buffers} * detail::kBufferStride;
    static constexpr bool present = true;

    Result<void> init() {
      using namespace drivers::virtio;
      using P = typename K::platform;
      static_assert(requires { P::virtio_mmio; },
                    "net::VirtioNet: the platform has no virtio-mmio slots (K::platform::virtio_mmio)");
      Problem problem{};
      auto transport = MmioTransport::find(P::virtio_mmio, DeviceId::net, &problem);
      if (!transport.found()) {
        lib::say<P>("virtio-net: no network card: ", to_string(problem));
        if (problem == Problem::no_device)
          lib::say<P>("virtio-net: attach one (QEMU: -netdev user,id=n0 -device virtio-net-device,netdev=n0; "
                         "platforms/qemu-virt-aarch64/run-qemu --net-user RULE)");
        return fail(Error::not_supported);
      }
      const std::uint64_t optional = std::uint64_t{1} << detail::kNetFeatureMac | std::uint64_t{1} << detail::kNetFeatureStatus;
      auto features = transport.negotiate(0, optional, &problem);
      if (!features) {
        lib::say<P>("virtio-net: ", to_string(problem));
        return fail(features.error());
      }
      // .queue_size is an upper bound: a device with smaller queues (QEMU's virtio-net offers
      // queues of up to 1024) gets queues of its size, the largest power of two it takes (virtio 1.2
      // §2.7: a split queue's size is a power of two). Found by configfuzz (a queue of 4096
      // used to fail init with "a virtqueue is missing"); tests/configfuzz/regressions/.
      const std::uint32_t device_max = detail::smaller(transport.queue_max(detail::kReceiveQueue),
                                                       transport.queue_max(detail::kTransmitQueue));
      if (device_max < 2) {
        lib::say<P>("virtio-net: ", to_string(Problem::queue_unavailable));
        transport.reset();
        return fail(Error::not_supported);
      }
      const std::uint32_t queue_size = detail::power_of_two_at_most(detail::smaller(device_max, Options.queue_size));

      constexpr std::size_t ring_bytes = 2 * detail::ring_stride(Options.queue_size);
      auto rings = K::page_allocator().allocate(ring_bytes, 4096);
      auto memory = K::page_allocator().allocate(std::size_t{Options.buffers} * detail::kBufferStride, 4096);
      auto table = K::alloc().allocate(sizeof(api::PacketBuffer) * Options.buffers, alignof(api::PacketBuffer));
      auto stack = K::alloc().allocate(sizeof(std::uint32_t) * Options.buffers, alignof(std::uint32_t));
      if (!rings || !memory || !table || !stack) {
        lib::say<P>("virtio-net: not enough memory for the rings and ", "packet buffers");
        transport.reset();
        return fail(Error::out_of_memory);
      }
      detail::PacketPool pool;
      pool.attach(static_cast<api::PacketBuffer*>(table.value()), static_cast<std::uint32_t*>(stack.value()),
                  static_cast<std::byte*>(memory.value()), Options.buffers, detail::kBufferStride,
                  detail::kBufferHeadroom);
      if (auto started = core_.start(transport, features.value(), static_cast<std::byte*>(rings.value()),
                                     queue_size, pool, Options.interrupts);
          !started) {
        lib::say<P>("virtio-net: ", to_string(Problem::queue_unavailable));
        transport.reset();
        return started;
      }
      if constexpr (Options.interrupts) {
        static_assert(requires { P::interrupt_controller::enable(0u); },
                      "net::VirtioNet: option .interrupts needs a platform with an interrupt_controller");
        P::interrupt_controller::enable(core_.irq());
      }
      return {};
    }

    api::MacAddress mac() const { return core_.mac(); }
    std::size_t mtu() const { return kDefaultMtu; }
    bool link_up() const { return core_.link_up(); }
    api::NetCounters counters() const { return core_.counters(); }
    std::size_t rx_burst(std::span<api::PacketBuffer*> burst) { return core_.rx_burst(burst); }
    std::size_t tx_burst(std::span<api::PacketBuffer*> burst) { return core_.tx_burst(burst); }
    Result<api::PacketBuffer*> alloc_buffer() { return core_.alloc_buffer(); }
    void free_buffer(api::PacketBuffer* b) { core_.free_buffer(b); }

    // The interrupt seam (with .interrupts): the device's interrupt number at the platform's
    // controller, and what its handler calls before rx_burst.
    std::uint32_t irq() const { return core_.irq(); }
    std::uint32_t acknowledge_interrupt() { return core_.acknowledge_interrupt(); }

   private:
    detail::VirtioNetCore core_;
  };
};

static_assert(api::NetDevice<VirtioNet<>::bind<void>>);

}  // namespace tessera::net
