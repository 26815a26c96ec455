#pragma once
// drivers::virtio::MmioTransport — the virtio-mmio transport, version 2 ("modern"; virtio 1.2
// §4.2): discovery over a platform's virtio-mmio slots, the status handshake and feature
// negotiation of §3.1.1, virtqueue set-up (§4.2.3.2), notification, device configuration
// space and the interrupt status. Device-independent: virtio-net and virtio-blk drivers sit on
// top of it and choose their feature bits and queues.
//
// Not a template: the base address is a value, so one copy of the code serves every device.
// QEMU's virt machine offers version 1 (legacy) unless it is started with
// `-global virtio-mmio.force-legacy=false`; a legacy device is refused with a message that
// says so (platforms/common/qemu_runner.py adds the option whenever it attaches a device).
// Cost: no state beyond the base address; every operation is a few 32-bit MMIO accesses.

#include <cstdint>

#include "tessera/drivers/virtio/virtqueue.hpp"
#include "tessera/lib/mmio.hpp"
#include "tessera/result.hpp"

namespace tessera::drivers::virtio {

// virtio 1.2 §5 "Device Types": Device ID.
enum class DeviceId : std::uint32_t { net = 1, block = 2 };

// virtio 1.2 §6 "Reserved Feature Bits".
inline constexpr unsigned kFeatureVersion1 = 32;  // VIRTIO_F_VERSION_1: a modern (1.x) device

// virtio 1.2 §4.2.2 "MMIO Device Register Layout": offsets from the slot's base.
namespace reg {
inline constexpr std::uintptr_t magic = 0x000;           // "virt"
inline constexpr std::uintptr_t version = 0x004;         // 2 for this layout, 1 for legacy
inline constexpr std::uintptr_t device_id = 0x008;       // 0: no device behind this slot
inline constexpr std::uintptr_t device_features = 0x010;
inline constexpr std::uintptr_t device_features_sel = 0x014;
inline constexpr std::uintptr_t driver_features = 0x020;
inline constexpr std::uintptr_t driver_features_sel = 0x024;
inline constexpr std::uintptr_t queue_sel = 0x030;
inline constexpr std::uintptr_t queue_num_max = 0x034;
inline constexpr std::uintptr_t queue_num = 0x038;
inline constexpr std::uintptr_t queue_ready = 0x044;
inline constexpr std::uintptr_t queue_notify = 0x050;
inline constexpr std::uintptr_t interrupt_status = 0x060;
inline constexpr std::uintptr_t interrupt_ack = 0x064;
inline constexpr std::uintptr_t status = 0x070;
inline constexpr std::uintptr_t queue_desc_low = 0x080;
inline constexpr std::uintptr_t queue_desc_high = 0x084;
inline constexpr std::uintptr_t queue_driver_low = 0x090;
inline constexpr std::uintptr_t queue_driver_high = 0x094;
inline constexpr std::uintptr_t queue_device_low = 0x0a0;
inline constexpr std::uintptr_t queue_device_high = 0x0a4;
inline constexpr std::uintptr_t config_generation = 0x0fc;
inline constexpr std::uintptr_t config = 0x100;
}  // namespace reg
inline constexpr std::uint32_t kMagic = 0x7472'6976;  // §4.2.2 MagicValue: "virt", little-endian

// virtio 1.2 §2.1 "Device Status Field".
namespace status {
inline constexpr std::uint32_t acknowledge = 1;
inline constexpr std::uint32_t driver = 2;
inline constexpr std::uint32_t driver_ok = 4;
inline constexpr std::uint32_t features_ok = 8;
inline constexpr std::uint32_t failed = 128;
}  // namespace status

// Where a platform's virtio-mmio slots are: `count` register windows of `stride` bytes from
// `base`, slot n's interrupt being `first_irq + n` at the platform's interrupt controller.
struct MmioSlots {
  std::uintptr_t base = 0;
  std::uintptr_t stride = 0;
  std::uint32_t count = 0;
  std::uint32_t first_irq = 0;
};

// Why discovery or the handshake failed, for the driver's console message.
enum class Problem : std::uint8_t {
  none,
  no_device,         // no slot holds a device of the wanted type
  legacy_only,       // one does, but only through the version 1 (legacy) interface
  features_refused,  // the device lacks a required feature, or cleared FEATURES_OK
  queue_unavailable, // the queue does not exist, is in use, or is smaller than needed
};

constexpr const char* to_string(Problem p) {
  switch (p) {
    case Problem::none: return "none";
    case Problem::no_device: return "no such device in any virtio-mmio slot";
    case Problem::legacy_only: return "the device is legacy virtio-mmio (version 1); QEMU needs "
                                      "-global virtio-mmio.force-legacy=false";
    case Problem::features_refused: return "feature negotiation failed (VIRTIO_F_VERSION_1 or a required feature refused)";
    case Problem::queue_unavailable: return "a virtqueue is missing or already in use";
  }
  return "?";
}

class MmioTransport {
 public:
  MmioTransport() = default;
  explicit MmioTransport(std::uintptr_t base, std::uint32_t irq) : base_(base), irq_(irq) {}

  // The first slot holding a `wanted` device, or the reason there is none (`problem`).
  static MmioTransport find(const MmioSlots& slots, DeviceId wanted, Problem* problem) {
    Problem seen = Problem::no_device;
    for (std::uint32_t slot = 0; slot < slots.count; ++slot) {
      const std::uintptr_t base = slots.base + slot * slots.stride;
      if (lib::mmio::read32(base + reg::magic) != kMagic) continue;
      if (lib::mmio::read32(base + reg::device_id) != static_cast<std::uint32_t>(wanted)) continue;
      if (lib::mmio::read32(base + reg::version) != 2) {
        seen = Problem::legacy_only;
        continue;
      }
      *problem = Problem::none;
      return MmioTransport(base, slots.first_irq + slot);
    }
    *problem = seen;
    return {};
  }

  bool found() const { return base_ != 0; }
  std::uintptr_t base() const { return base_; }
  std::uint32_t irq() const { return irq_; }

  // §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, read the device's features, accept
  // `required | (optional & offered)` (VIRTIO_F_VERSION_1 is always required), FEATURES_OK,
  // and check that the device kept it. Returns the accepted features. On failure the device
  // is left with FAILED set (§3.1.1 step 8 "the driver SHOULD set the FAILED bit").
  Result<std::uint64_t> negotiate(std::uint64_t required, std::uint64_t optional, Problem* problem) {
    write(reg::status, 0);  // §4.2.3.1: writing zero resets the device
    write(reg::status, status::acknowledge);
    write(reg::status, status::acknowledge | status::driver);
    required |= std::uint64_t{1} << kFeatureVersion1;
    const std::uint64_t offered = device_features();
    if ((offered & required) != required) return refuse(Problem::features_refused, problem);
    const std::uint64_t accepted = required | (optional & offered);
    write(reg::driver_features_sel, 0);
    write(reg::driver_features, static_cast<std::uint32_t>(accepted));
    write(reg::driver_features_sel, 1);
    write(reg::driver_features, static_cast<std::uint32_t>(accepted >> 32));
    write(reg::status, status::acknowledge | status::driver | status::features_ok);
    if ((read(reg::status) & status::features_ok) == 0) return refuse(Problem::features_refused, problem);
    *problem = Problem::none;
    return accepted;
  }

  std::uint64_t device_features() {
    write(reg::device_features_sel, 0);
    const std::uint64_t low = read(reg::device_features);
    write(reg::device_features_sel, 1);
    return low | std::uint64_t{read(reg::device_features)} << 32;
  }

  // The largest size queue `index` may have; 0 if it does not exist (§4.2.3.2 step 3).
  std::uint32_t queue_max(std::uint32_t index) {
    write(reg::queue_sel, index);
    return read(reg::queue_ready) != 0 ? 0 : read(reg::queue_num_max);
  }

  // §4.2.3.2: tells the device where queue `index`'s parts are and marks it ready.
  Result<void> setup_queue(std::uint32_t index, const SplitQueue& queue) {
    write(reg::queue_sel, index);
    if (read(reg::queue_ready) != 0 || read(reg::queue_num_max) < queue.size()) return fail(Error::not_supported);
    write(reg::queue_num, queue.size());
    write64(reg::queue_desc_low, queue.descriptor_address());
    write64(reg::queue_driver_low, queue.driver_address());
    write64(reg::queue_device_low, queue.device_address());
    write(reg::queue_ready, 1);
    return {};
  }

  // §3.1.1 step 8: the device may now use its queues.
  void driver_ok() { write(reg::status, status::acknowledge | status::driver | status::features_ok | status::driver_ok); }
  void reset() { write(reg::status, 0); }
  std::uint32_t device_status() { return read(reg::status); }

  // §4.2.3.3: buffers are available in queue `index`. The ring writes must reach memory
  // before the device is told (a full barrier: the MMIO write is not ordered by release).
  void notify(std::uint32_t index) {
#if defined(__aarch64__)
    asm volatile("dmb osh" ::: "memory");  // the device is outside the inner-shareable domain
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
    write(reg::queue_notify, index);
  }

  // Device configuration space (§4.2.2 Config, from 0x100), one byte at a time: fields
  // narrower than 32 bits sit at unaligned offsets (the MAC address). §2.5.1: read again
  // while ConfigGeneration changes under us.
  std::uint8_t config8(std::uint32_t offset) {
    return *reinterpret_cast<volatile const std::uint8_t*>(base_ + reg::config + offset);
  }
  std::uint16_t config16(std::uint32_t offset) {
    return *reinterpret_cast<volatile const std::uint16_t*>(base_ + reg::config + offset);
  }
  std::uint32_t config32(std::uint32_t offset) { return read(reg::config + offset); }
  // A 64-bit field is two 32-bit reads: read again if the device changed it in between.
  std::uint64_t config64(std::uint32_t offset) {
    for (;;) {
      const std::uint32_t before = config_generation();
      const std::uint64_t value = config32(offset) | std::uint64_t{config32(offset + 4)} << 32;
      if (config_generation() == before) return value;
    }
  }
  std::uint32_t config_generation() { return read(reg::config_generation); }

  // The interrupt seam. Reads InterruptStatus (bit 0: a queue was used; bit 1: the
  // configuration changed, §4.2.2) and acknowledges those bits, which lowers the line.
  // Polled drivers never need it; an interrupt handler calls it first.
  std::uint32_t acknowledge_interrupt() {
    const std::uint32_t pending = read(reg::interrupt_status);
    if (pending != 0) write(reg::interrupt_ack, pending);
    return pending;
  }

 private:
  Failure refuse(Problem why, Problem* problem) {
    write(reg::status, read(reg::status) | status::failed);
    *problem = why;
    return fail(Error::not_supported);
  }
  std::uint32_t read(std::uintptr_t offset) { return lib::mmio::read32(base_ + offset); }
  void write(std::uintptr_t offset, std::uint32_t value) { lib::mmio::write32(base_ + offset, value); }
  void write64(std::uintptr_t low_offset, std::uint64_t value) {
    write(low_offset, static_cast<std::uint32_t>(value));
    write(low_offset + 4, static_cast<std::uint32_t>(value >> 32));
  }

  std::uintptr_t base_ = 0;
  std::uint32_t irq_ = 0;
};

}  // namespace tessera::drivers::virtio
