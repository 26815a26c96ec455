#pragma once
// block::VirtioBlk — a virtio block device (virtio 1.2 §5.2) on the virtio-mmio transport
// (drivers/virtio/), found by scanning the platform's virtio-mmio slots
// (K::platform::virtio_mmio). Up to .queue_depth requests in flight, each a chain of three
// descriptors (header, data, status) in one split virtqueue; the device may finish them in
// any order. Completions are read from the used ring: poll() never blocks. wait() polls under
// sched::None. Under sched::Preemptive (one core), whose IRQ entry hands device interrupts to
// the kernel's devices, wait() sleeps on the driver's wait queue until the device's used-buffer
// interrupt (on_interrupt: it lowers the line and wakes the waiters, who then poll). Under
// other schedulers that can block (sched::Cooperative, sched::PerCore), it sleeps 50 µs
// between polls. A poll by any thread wakes the waiters. Blocks are 512 bytes, the unit of
// virtio-blk's sector numbers (§5.2.6).
//
// Options: .queue_depth — requests in flight at most, 1 to 1024 (default 32);
//          .queue_size — virtqueue entries, a power of two ≥ 3 × .queue_depth (default 128);
//          .interrupts — under sched::None, wait() sleeps in wfi until the device's interrupt
//                     instead of spinning (the line enabled at K::platform::interrupt_controller,
//                     masked at the CPU: no handler runs; default false, polling). Not needed
//                     under sched::Preemptive, which uses the interrupt anyway.
// Cost: one virtqueue (≈ 26 bytes per entry) from K::page_allocator(), 32 bytes per request
// slot from K::alloc(), ~80 bytes of state; a request is three descriptors, one MMIO write
// (the notification) and, when done, one used-ring entry.
//
// A missing device is a console message and Error::not_supported from init(), which the
// kernel turns into a panic (exit status 70).

#include <cstddef>
#include <cstdint>

#include "tessera/api/block_device.hpp"
#include "tessera/block/request.hpp"
#include "tessera/drivers/virtio/mmio.hpp"
#include "tessera/drivers/virtio/virtqueue.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/lib/say.hpp"

namespace tessera::block {

struct VirtioBlkOptions {
  std::uint32_t queue_depth = 32;
  std::uint32_t queue_size = 128;
  bool interrupts = false;
};

namespace detail {

// virtio 1.2 §5.2.3 "Feature bits": VIRTIO_BLK_F_RO (read-only), VIRTIO_BLK_F_FLUSH (the
// flush command exists; without it writes may sit in the device's cache forever).
inline constexpr unsigned kBlkFeatureReadOnly = 5;
inline constexpr unsigned kBlkFeatureFlush = 9;
// §5.2.4 struct virtio_blk_config: le64 capacity (in 512-byte sectors) at offset 0.
inline constexpr std::uint32_t kBlkConfigCapacity = 0;
// §5.2.6 "Device Operation": request types and status values.
inline constexpr std::uint32_t kBlkTypeIn = 0, kBlkTypeOut = 1, kBlkTypeFlush = 4;
inline constexpr std::uint8_t kBlkStatusOk = 0;
inline constexpr std::uint32_t kBlkSector = 512;  // §5.2.6: "sector" counts 512-byte units
inline constexpr std::uint32_t kBlkRequestQueue = 0;  // §5.2.2: requestq1 is queue 0

// One request slot: the device-readable header of §5.2.6 struct virtio_blk_req (le32 type,
// le32 reserved, le64 sector), the device-writable status byte, and whose request it is.
struct BlkSlot {
  std::uint32_t type;
  std::uint32_t reserved;
  std::uint64_t sector;
  std::uint8_t status;
  api::BlockRequest* request;
};

// The size-independent driver: every VirtioBlk<Options>::bind<K> forwards here.
class VirtioBlkCore {
 public:
  // After MmioTransport::negotiate: sets up the request queue in `ring` and says DRIVER_OK.
  Result<void> start(drivers::virtio::MmioTransport transport, std::uint64_t features, std::byte* ring,
                     std::uint32_t queue_size, BlkSlot* slots, std::uint32_t* free_slots, std::uint32_t depth,
                     bool interrupts = false) {
    transport_ = transport;
    if (auto r = queue_.attach(ring, queue_size); !r) return r;
    queue_.set_interrupts(interrupts);
    if (auto r = transport_.setup_queue(kBlkRequestQueue, queue_); !r) return r;
    capacity_ = transport_.config64(kBlkConfigCapacity);
    read_only_ = (features >> kBlkFeatureReadOnly & 1) != 0;
    slots_ = slots;
    free_ = free_slots;
    depth_ = depth;
    for (std::uint32_t i = 0; i < depth; ++i) free_[i] = depth - 1 - i;
    free_count_ = depth;
    transport_.driver_ok();
    return {};
  }

  std::size_t block_size() const { return kBlkSector; }
  std::uint64_t block_count() const { return capacity_; }
  std::size_t queue_depth() const { return depth_; }
  std::uint32_t in_flight() const { return depth_ - free_count_; }
  bool read_only() const { return read_only_; }

  Result<void> submit(api::BlockRequest& r) {
    if (slots_ == nullptr) return fail(Error::not_supported);
    if (auto checked = check(r, kBlkSector, capacity_); !checked) return checked;
    if (r.op == api::BlockOp::write && read_only_) return fail(Error::not_supported);
    if (free_count_ == 0) return fail(Error::would_block);
    const std::uint32_t index = free_[--free_count_];
    BlkSlot& slot = slots_[index];
    slot.type = r.op == api::BlockOp::read ? kBlkTypeIn : r.op == api::BlockOp::write ? kBlkTypeOut : kBlkTypeFlush;
    slot.reserved = 0;
    slot.sector = r.op == api::BlockOp::flush ? 0 : r.block;
    slot.status = 0xff;  // not a status the device writes: a request it never finished shows
    slot.request = &r;
    r.done = false;
    r.error = Error{};
    using drivers::virtio::Segment;
    const Segment chain[3] = {
        {.address = reinterpret_cast<std::uintptr_t>(&slot), .length = 16},
        {.address = reinterpret_cast<std::uintptr_t>(r.buffer), .length = r.count * kBlkSector,
         .device_writes = r.op == api::BlockOp::read},
        {.address = reinterpret_cast<std::uintptr_t>(&slot.status), .length = 1, .device_writes = true}};
    const Segment flush_chain[2] = {chain[0], chain[2]};
    auto added = r.op == api::BlockOp::flush ? queue_.add({flush_chain, 2}, index) : queue_.add({chain, 3}, index);
    if (!added) {  // cannot happen with queue_size ≥ 3 × depth; refused, not lost
      free_[free_count_++] = index;
      return added;
    }
    queue_.publish();
    transport_.notify(kBlkRequestQueue);
    return {};
  }

  // The interrupt seam: lowers the device's line (virtio-mmio InterruptStatus/ACK, §4.2.2).
  std::uint32_t acknowledge_interrupt() { return transport_.acknowledge_interrupt(); }
  std::uint32_t irq() const { return transport_.irq(); }

  std::size_t poll() {
    std::size_t finished = 0;
    while (auto used = queue_.pop_used()) {
      const std::uint32_t index = used.value().token;
      if (index >= depth_ || slots_[index].request == nullptr) continue;  // a device bug: not followed
      BlkSlot& slot = slots_[index];
      complete(*slot.request, slot.status == kBlkStatusOk ? Error{} : Error::io_error);
      slot.request = nullptr;
      free_[free_count_++] = index;
      ++finished;
    }
    return finished;
  }

 private:
  drivers::virtio::MmioTransport transport_;
  drivers::virtio::SplitQueue queue_;
  BlkSlot* slots_ = nullptr;
  std::uint32_t* free_ = nullptr;  // a stack of free slot numbers
  std::uint32_t depth_ = 0, free_count_ = 0;
  std::uint64_t capacity_ = 0;
  bool read_only_ = false;
};

}  // namespace detail

template <VirtioBlkOptions Options = VirtioBlkOptions{}>
struct VirtioBlk {
  static_assert(Options.queue_depth >= 1 && Options.queue_depth <= 1024,
                "block::VirtioBlk: option .queue_depth must be from 1 to 1024");
  static_assert(drivers::virtio::SplitQueue::valid_size(Options.queue_size) &&
                    Options.queue_size >= 3 * Options.queue_depth,
                "block::VirtioBlk: option .queue_size must be a power of two of at least 3 × .queue_depth "
                "(three descriptors per request)");
  static constexpr VirtioBlkOptions options = Options;

  template <class K>
  class bind {
   public:
    static constexpr const char* name = "block::VirtioBlk";
    static constexpr bool present = true;

    Result<void> init() {
      using namespace drivers::virtio;
      using P = typename K::platform;
      static_assert(requires { P::virtio_mmio; },
                    "block::VirtioBlk: the platform has no virtio-mmio slots (K::platform::virtio_mmio)");
      Problem problem{};
      auto transport = MmioTransport::find(P::virtio_mmio, DeviceId::block, &problem);
      if (!transport.found()) {
        lib::say<P>("virtio-blk: no disk: ", to_string(problem));
        if (problem == Problem::no_device)
          lib::say<P>("virtio-blk: attach one (QEMU: -drive file=disk.img,if=none,format=raw,id=d0 "
                               "-device virtio-blk-device,drive=d0; platforms/qemu-virt-aarch64/run-qemu --disk FILE)");
        return fail(Error::not_supported);
      }
      const std::uint64_t required = std::uint64_t{1} << detail::kBlkFeatureFlush;
      const std::uint64_t optional = std::uint64_t{1} << detail::kBlkFeatureReadOnly;
      auto features = transport.negotiate(required, optional, &problem);
      if (!features) {
        lib::say<P>("virtio-blk: ", to_string(problem));
        return fail(features.error());
      }
      if (transport.queue_max(detail::kBlkRequestQueue) < Options.queue_size) {
        lib::say<P>("virtio-blk: ", to_string(Problem::queue_unavailable));
        transport.reset();
        return fail(Error::not_supported);
      }
      auto ring = K::page_allocator().allocate(SplitQueue::bytes_for(Options.queue_size), 4096);
      auto slots = K::alloc().allocate(sizeof(detail::BlkSlot) * Options.queue_depth, alignof(detail::BlkSlot));
      auto stack = K::alloc().allocate(sizeof(std::uint32_t) * Options.queue_depth, alignof(std::uint32_t));
      if (!ring || !slots || !stack) {
        lib::say<P>("virtio-blk: not enough memory for the ring and request slots");
        transport.reset();
        return fail(Error::out_of_memory);
      }
      if (auto started = core_.start(transport, features.value(), static_cast<std::byte*>(ring.value()),
                                     Options.queue_size, static_cast<detail::BlkSlot*>(slots.value()),
                                     static_cast<std::uint32_t*>(stack.value()), Options.queue_depth,
                                     Options.interrupts || interrupt_wakes());
          !started) {
        lib::say<P>("virtio-blk: ", to_string(Problem::queue_unavailable));
        transport.reset();
        return started;
      }
      if constexpr (Options.interrupts) {
        static_assert(requires { P::interrupt_controller::enable(0u); },
                      "block::VirtioBlk: option .interrupts needs a platform with an interrupt_controller");
        static_assert(!can_block(),
                      "block::VirtioBlk: option .interrupts is for sched::None (wait() sleeps in wfi with the "
                      "CPU's interrupts masked); with a scheduler that can block, leave it off: wait() then "
                      "sleeps on the driver's wait queue (until the device's interrupt under sched::Preemptive)");
      }
      if constexpr (Options.interrupts || interrupt_wakes()) {
        P::interrupt_controller::init();  // idempotent: the platform's idle or the scheduler may do it too
        P::interrupt_controller::enable(core_.irq());
      }
      return {};
    }

    std::size_t block_size() const { return core_.block_size(); }
    std::uint64_t block_count() const { return core_.block_count(); }
    std::size_t queue_depth() const { return core_.queue_depth(); }
    std::uint32_t in_flight() const { return core_.in_flight(); }
    Result<void> submit(api::BlockRequest& r) { return core_.submit(r); }

    std::size_t poll() {
      const std::size_t finished = core_.poll();
      if constexpr (can_block()) {
        if (finished != 0) K::sched().wake_all(waiters());
      }
      return finished;
    }

    Result<void> wait(api::BlockRequest& r) {
      while (!is_done(r)) {
        if (core_.in_flight() == 0 && !is_done(r)) return fail(Error::invalid_argument);  // never submitted
        if constexpr (interrupt_wakes()) {
          // IRQs masked from the look to the sleep, so that the completion's interrupt cannot
          // come in between and wake nobody; it stays pending until this thread waits.
          [[maybe_unused]] typename K::scheduler_type::guard masked;
          if (poll() == 0 && !is_done(r)) K::sched().wait(waiters());
          continue;
        }
        // With interrupts: lower the line before looking, so that a completion after the look
        // raises it again and the wfi below returns at once (no lost wake-up).
        if constexpr (Options.interrupts) core_.acknowledge_interrupt();
        if (poll() != 0) continue;
        if constexpr (Options.interrupts) {
#if defined(__aarch64__)
          asm volatile("wfi" ::: "memory");  // until an interrupt is pending (masked: no handler)
#endif
        } else if constexpr (can_block()) {
          // Let other threads run; back within a tick to poll again (no interrupt handler
          // wakes us: the device is polled).
          using Clock = typename K::platform::clock;
          (void)K::sched().wait_until(waiters(), Clock::now() + Clock::frequency() / 20000);  // 50 µs
        }
      }
      return r.result();
    }

    // The scheduler's IRQ entry (sched::Preemptive, detail/device_interrupts.hpp), IRQs masked:
    // the device's used-buffer interrupt is lowered and the waiters wake to poll. The used ring
    // is left to them, so that nothing here races a thread's submit or poll.
    bool on_interrupt(std::uint32_t irq) {
      if constexpr (interrupt_wakes()) {
        if (irq != core_.irq() || core_.queue_depth() == 0) return false;
        core_.acknowledge_interrupt();
        K::sched().wake_all(waiters());
        return true;
      }
      return false;
    }
    // Requests in flight: their completion will interrupt (the idle loop waits for it).
    bool expects_interrupt() const { return interrupt_wakes() && core_.in_flight() != 0; }

   private:
    static constexpr bool can_block() { return K::scheduler_type::can_block; }
    // Whether the scheduler hands this device's interrupt to on_interrupt (sched::Preemptive on
    // one core); otherwise wait() polls.
    static constexpr bool interrupt_wakes() {
      if constexpr (requires { K::scheduler_type::device_interrupts; })
        return K::scheduler_type::device_interrupts;
      else
        return false;
    }
    static auto& waiters() {
      static typename K::scheduler_type::wait_queue queue;
      return queue;
    }
    detail::VirtioBlkCore core_;
  };
};

}  // namespace tessera::block
static_assert(tessera::api::BlockDevice<tessera::block::VirtioBlk<>::bind<void>>);
