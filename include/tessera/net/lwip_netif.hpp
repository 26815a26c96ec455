#pragma once
// net::LwipNetif<Device> — lwIP's network interface over any NetDevice (lwIP 2.1.3). With the
// raw API (NO_SYS=1, lwip_dep in Meson) the application's loop calls poll(), which also runs
// lwIP's timers. With sockets (NO_SYS=0, lwip_sockets_dep) net::LwipSockets owns it: its
// receive thread calls poll(), which enters lwIP under the core lock; the timers are the tcpip
// thread's, and the driver's pool is touched inside SYS_ARCH_PROTECT (nothing under
// sched::Cooperative).
//
// Receive without a copy: each frame rx_burst hands over is given to lwIP as a custom pbuf
// (PBUF_REF over the driver's buffer); when lwIP frees the pbuf, the buffer goes back to the
// driver's pool. Transmit copies once: lwIP builds a frame as a chain of its own pbufs, which is
// gathered into one driver buffer (copies_per_tx_frame counts it).
//
// Options (template arguments): Device — the bound net component (App::net_type);
//          RxPbufs — frames lwIP may hold at once (default 64): beyond that, frames are dropped
//          and counted;
//          Filter — sees each received frame first (default: none): a type with
//          `static bool take(Device&, api::PacketBuffer*)`; a frame it takes (returns true) is
//          its own and never reaches lwIP (the net benchmark answers raw echoes this way). An
//          optional `static void flush(Device&)` runs after each burst (to send its answers in
//          one tx_burst).
// Cost: RxPbufs × ~40 bytes, a netif (~100 bytes); per frame one custom pbuf set-up on receive,
// one buffer allocation and copy on transmit. lwIP calls link_output and the pbuf free function
// through pointers: those are lwIP's own callbacks.

#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/api/net_device.hpp"
#include "tessera/result.hpp"

extern "C" {
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#if !NO_SYS
#include "lwip/tcpip.h"
#endif
}

namespace tessera::net {

struct LwipNetifCounters {
  std::uint64_t rx_frames = 0, tx_frames = 0, rx_dropped_no_pbuf = 0, rx_dropped_short = 0, tx_dropped = 0,
                tx_copies = 0;
};

// Frames shorter than 42 bytes (Ethernet header + an ARP packet, or + IPv4 and UDP/ICMP
// headers) never reach lwIP: lwIP 2.1.3 reads headers before checking that the pbuf holds them
// — ip4_input reads the total-length field first (ip4.c), etharp_input the whole ARP header
// (etharp.c) — up to 5 bytes past such a frame (found by tests/unit/net/lwip_netif_test.cpp
// under ASan). Within a driver buffer that read stays in memory the buffer owns, but its bytes
// are stale. No frame lwIP could answer is that short (Ethernet's own minimum is 60).
inline constexpr std::uint32_t kLwipMinimumFrame = 42;

struct NoFilter {
  template <class Device>
  static bool take(Device&, api::PacketBuffer*) {
    return false;
  }
};

template <api::NetDevice Device, std::size_t RxPbufs = 64, class Filter = NoFilter>
class LwipNetif {
  static_assert(RxPbufs >= 1, "net::LwipNetif: RxPbufs must be at least 1");

  // SYS_ARCH_PROTECT for a scope (empty in the raw build: SYS_LIGHTWEIGHT_PROT 0).
  struct Protect {
    SYS_ARCH_DECL_PROTECT(level);
    Protect() { SYS_ARCH_PROTECT(level); }
    ~Protect() { SYS_ARCH_UNPROTECT(level); }
  };

 public:
  // Starts lwIP (once; with sockets tcpip_init did, see net::LwipSockets) and adds the
  // interface with a static IPv4 address (0.0.0.0 for DHCP); it becomes the default route and
  // is up. `device` must be initialised (the kernel's boot did it).
  Result<void> start(Device& device, const ip4_addr_t& address, const ip4_addr_t& netmask, const ip4_addr_t& gateway) {
    device_ = &device;
    for (std::size_t i = 0; i < RxPbufs; ++i) {
      slots_[i].owner = this;
      slots_[i].next_free = i + 1 < RxPbufs ? &slots_[i + 1] : nullptr;
    }
    free_ = &slots_[0];
#if NO_SYS
    static bool lwip_started = false;
    if (!lwip_started) {
      lwip_init();
      lwip_started = true;
    }
    constexpr netif_input_fn input = ethernet_input;
#else
    LOCK_TCPIP_CORE();
    constexpr netif_input_fn input = tcpip_input;  // for lwIP's own callers; poll() calls ethernet_input
#endif
    bool added = netif_add(&netif_, &address, &netmask, &gateway, this, &LwipNetif::init_netif, input) != nullptr;
    if (added) {
      netif_set_default(&netif_);
      netif_set_up(&netif_);
      if (device.link_up()) netif_set_link_up(&netif_);
    }
#if !NO_SYS
    UNLOCK_TCPIP_CORE();
#endif
    if (!added) return fail(Error::invalid_argument);
    return {};
  }

  // Hands received frames to lwIP; returns how many the device had. Raw build: also runs
  // lwIP's timers (call it from the application's loop). Sockets build: enters lwIP under its
  // core lock (net::LwipSockets' receive thread calls it).
  std::size_t poll() {
    api::PacketBuffer* burst[32];
    std::size_t n;
    {
      Protect protect;
      n = device_->rx_burst(burst);
    }
#if NO_SYS
    for (std::size_t i = 0; i < n; ++i) deliver(burst[i]);
    sys_check_timeouts();
#else
    if (n > 0) {
      LOCK_TCPIP_CORE();
      for (std::size_t i = 0; i < n; ++i) deliver(burst[i]);
      UNLOCK_TCPIP_CORE();
    }
#endif
    if constexpr (requires { Filter::flush(*device_); })
      if (n > 0) Filter::flush(*device_);
    return n;
  }

  struct netif* netif() { return &netif_; }
  const LwipNetifCounters& counters() const { return counters_; }

 private:
  struct RxPbuf {
    struct pbuf_custom custom;  // first: lwIP's pbuf pointer is this slot's address
    LwipNetif* owner = nullptr;
    api::PacketBuffer* buffer = nullptr;
    RxPbuf* next_free = nullptr;
  };

  void deliver(api::PacketBuffer* b) {
    if (Filter::take(*device_, b)) return;
    if (b->length < kLwipMinimumFrame) {
      ++counters_.rx_dropped_short;
      Protect protect;
      device_->free_buffer(b);
      return;
    }
    RxPbuf* slot;
    {
      Protect protect;
      slot = free_;
      if (slot == nullptr || b->length > 0xffff) {
        ++counters_.rx_dropped_no_pbuf;
        device_->free_buffer(b);
        return;
      }
      free_ = slot->next_free;
    }
    slot->buffer = b;
    slot->custom.custom_free_function = &LwipNetif::free_rx;
    struct pbuf* p = pbuf_alloced_custom(PBUF_RAW, static_cast<u16_t>(b->length), PBUF_REF, &slot->custom, b->data,
                                         static_cast<u16_t>(b->capacity > 0xffff ? 0xffff : b->capacity));
    ++counters_.rx_frames;
    // ethernet_input by name, not through netif_.input: a direct call from the glue into lwIP.
    if (ethernet_input(p, &netif_) != ERR_OK) pbuf_free(p);  // lwIP did not take it: free_rx runs
  }

  // lwIP is done with a received frame: its buffer back to the driver, the slot to our list.
  // Sockets build: any thread may free it (a socket's reader, without the core lock).
  static void free_rx(struct pbuf* p) {
    auto* slot = reinterpret_cast<RxPbuf*>(p);
    LwipNetif* self = slot->owner;
    Protect protect;
    self->device_->free_buffer(slot->buffer);
    slot->buffer = nullptr;
    slot->next_free = self->free_;
    self->free_ = slot;
  }

  static err_t init_netif(struct netif* n) {
    auto* self = static_cast<LwipNetif*>(n->state);
    const api::MacAddress mac = self->device_->mac();
    n->hwaddr_len = ETH_HWADDR_LEN;
    for (int i = 0; i < ETH_HWADDR_LEN; ++i) n->hwaddr[i] = static_cast<u8_t>(mac[i]);
    n->mtu = static_cast<u16_t>(self->device_->mtu());
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    n->name[0] = 't';
    n->name[1] = 's';
    n->output = etharp_output;
    n->linkoutput = &LwipNetif::link_output;
    return ERR_OK;
  }

  static err_t link_output(struct netif* n, struct pbuf* p) {
    auto* self = static_cast<LwipNetif*>(n->state);
    Protect protect;
    auto b = self->device_->alloc_buffer();
    if (!b || p->tot_len > b.value()->capacity) {
      if (b) self->device_->free_buffer(b.value());
      ++self->counters_.tx_dropped;
      return ERR_MEM;
    }
    b.value()->length = pbuf_copy_partial(p, b.value()->data, p->tot_len, 0);
    ++self->counters_.tx_copies;
    api::PacketBuffer* one[1] = {b.value()};
    if (self->device_->tx_burst(one) != 1) {
      self->device_->free_buffer(b.value());
      ++self->counters_.tx_dropped;
      return ERR_MEM;
    }
    ++self->counters_.tx_frames;
    return ERR_OK;
  }

  Device* device_ = nullptr;
  struct netif netif_ {};
  RxPbuf slots_[RxPbufs]{};
  RxPbuf* free_ = nullptr;
  LwipNetifCounters counters_;
};

}  // namespace tessera::net
