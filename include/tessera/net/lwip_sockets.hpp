#pragma once
// net::LwipSockets<K, {options}> — lwIP's BSD sockets (lwip_socket, lwip_bind, lwip_recv …)
// on kernel K's network card and threads (lwIP 2.1.3 with NO_SYS=0: lwip_sockets_dep in
// Meson). start_static() or start_dhcp() starts lwIP's tcpip thread (tcpip_init), adds the card
// as lwIP's interface (net::LwipNetif: received frames reach lwIP in the driver's buffers, no
// copy) and a receive thread that polls the card and hands frames to lwIP under its core lock.
// The application then uses lwIP's socket calls from any of its threads; they block on the
// kernel's semaphores (net/lwip_sys_arch.hpp: write TESSERA_LWIP_SYS_ARCH(App) once).
//
// Needs a scheduler that can block: with sched::None this is a compile error that says to pick
// sched::Cooperative (or to use net::LwipNetif's raw API).
//
// Options:
//   .poll_us        how long the receive thread sleeps when the card had nothing (default 200
//                   µs): the added latency of a frame that arrives while it sleeps. The card is
//                   polled (virtio-net's interrupts cannot end the scheduler's idle early).
//   .rx_stack_bytes the receive thread's stack (default 16 KiB: lwIP's input path runs on it)
// Cost: the receive thread (its stack and a thread slot) and lwIP's tcpip thread (16 KiB stack,
// lwipopts.h); 64 custom pbufs (~40 bytes each); per idle poll one sleep and one rx_burst.
// Frames that lwIP cannot take (no free custom pbuf) are dropped and counted.

#include <cstddef>
#include <cstdint>

#include "tessera/net/lwip_netif.hpp"
#include "tessera/net/lwip_sys_arch.hpp"
#include "tessera/result.hpp"

// On hosted, lwIP's sockets.h and the C library's headers both define struct iovec (the same
// two members), e.g. when block::File's <fcntl.h> is in the same file: whichever comes first
// defines it, and the other sees its guard (lwIP: a macro named iovec; glibc: __iovec_defined).
#if defined(TESSERA_PLATFORM_HOSTED) && defined(__iovec_defined) && !defined(iovec)
#define iovec iovec
#endif
extern "C" {
#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"
}
#if defined(TESSERA_PLATFORM_HOSTED) && !defined(__iovec_defined)
#define __iovec_defined 1
#endif

namespace tessera::net {

struct LwipSocketsOptions {
  std::uint32_t poll_us = 200;
  std::size_t rx_stack_bytes = 16 * 1024;
};

// An IPv4 address as four numbers, a.b.c.d.
struct Ipv4 {
  std::uint8_t a = 0, b = 0, c = 0, d = 0;
};
struct Ipv4Settings {
  Ipv4 address, netmask{255, 255, 255, 0}, gateway;
};

template <class K, LwipSocketsOptions Options = LwipSocketsOptions{}, class Filter = NoFilter>
class LwipSockets {
  // Instantiates the sys_arch for K, whose static_assert says what a kernel that cannot block
  // must change (once, also when TESSERA_LWIP_SYS_ARCH(K) instantiates it).
  static_assert(sizeof(detail::LwipSys<K>) > 0);
  static_assert(Options.poll_us >= 1, "net::LwipSockets: option .poll_us must be at least 1");

 public:
  using netif_type = LwipNetif<typename K::net_type, 64, Filter>;

  // Starts lwIP with a fixed address. Error: what adding the interface or spawning the receive
  // thread returned.
  Result<void> start_static(const Ipv4Settings& settings) {
    if constexpr (detail::lwip_can_block<K>) {
      ip4_addr_t address, netmask, gateway;
      IP4_ADDR(&address, settings.address.a, settings.address.b, settings.address.c, settings.address.d);
      IP4_ADDR(&netmask, settings.netmask.a, settings.netmask.b, settings.netmask.c, settings.netmask.d);
      IP4_ADDR(&gateway, settings.gateway.a, settings.gateway.b, settings.gateway.c, settings.gateway.d);
      return start(address, netmask, gateway);
    }
    return fail(Error::not_supported);
  }

  // Starts lwIP and asks for an address by DHCP (RFC 2131; QEMU's user network answers), waiting
  // up to timeout_ms. Error::timeout when no lease came.
  Result<void> start_dhcp(std::uint32_t timeout_ms = 10'000) {
    if constexpr (detail::lwip_can_block<K>) {
      ip4_addr_t none;
      ip4_addr_set_zero(&none);
      if (auto started = start(none, none, none); !started) return started;
      LOCK_TCPIP_CORE();
      const err_t asked = dhcp_start(netif_.netif());
      UNLOCK_TCPIP_CORE();
      if (asked != ERR_OK) return fail(Error::out_of_memory);
      const std::uint64_t deadline =
          K::platform::clock::now() + detail::ticks_from_ms<typename K::platform::clock>(timeout_ms);
      for (;;) {
        LOCK_TCPIP_CORE();
        const bool bound = dhcp_supplied_address(netif_.netif()) != 0;
        UNLOCK_TCPIP_CORE();
        if (bound) return {};
        if (K::platform::clock::now() >= deadline) return fail(Error::timeout);
        K::sched().sleep_for(20'000'000);  // 20 ms
      }
    }
    return fail(Error::not_supported);
  }

  // The interface's address now (after start_dhcp: the lease's).
  Ipv4Settings settings() {
    Ipv4Settings s;
    if constexpr (detail::lwip_can_block<K>) {
      LOCK_TCPIP_CORE();
      s.address = from(*netif_ip4_addr(netif_.netif()));
      s.netmask = from(*netif_ip4_netmask(netif_.netif()));
      s.gateway = from(*netif_ip4_gw(netif_.netif()));
      UNLOCK_TCPIP_CORE();
    }
    return s;
  }

  const LwipNetifCounters& counters() const { return netif_.counters(); }
  netif_type& netif() { return netif_; }
  api::ThreadId receive_thread() const { return receiver_; }  // the thread that runs lwIP's input

 private:
  Result<void> start(const ip4_addr_t& address, const ip4_addr_t& netmask, const ip4_addr_t& gateway) {
    if (started_) return fail(Error::invalid_argument);
    tcpip_init(nullptr, nullptr);  // lwip_init, the core lock and the tcpip thread
    if (auto added = netif_.start(K::net(), address, netmask, gateway); !added) return added;
    auto receiver = K::sched().spawn(&LwipSockets::receive, this,
                                     {.stack_bytes = Options.rx_stack_bytes, .name = "lwip-rx", .detached = true});
    if (!receiver) return fail(receiver.error());
    receiver_ = receiver.value();
    started_ = true;
    return {};
  }

  // The receive thread: frames to lwIP while the card has any (yielding between bursts so the
  // threads they woke run), a short sleep when it has none.
  static void receive(void* argument) {
    auto* self = static_cast<LwipSockets*>(argument);
    for (;;) {
      if (self->netif_.poll() > 0)
        K::sched().yield();
      else
        K::sched().sleep_for(std::uint64_t{Options.poll_us} * 1000u);
    }
  }

  static Ipv4 from(const ip4_addr_t& a) {
    return {static_cast<std::uint8_t>(ip4_addr1(&a)), static_cast<std::uint8_t>(ip4_addr2(&a)),
            static_cast<std::uint8_t>(ip4_addr3(&a)), static_cast<std::uint8_t>(ip4_addr4(&a))};
  }

  netif_type netif_;
  api::ThreadId receiver_ = 0;
  bool started_ = false;
};

}  // namespace tessera::net
