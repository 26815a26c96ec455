// kvstore: a crash-safe key-value store on the BlockDevice API, no file system (store.hpp has
// the on-disk format and the recovery rules). Commands one per line, on the console and, when
// networking is configured, over TCP port 7000 (protocol.hpp has the line protocol):
//   put KEY VALUE     -> ok                     get KEY   -> value VALUE | not found
//   del KEY           -> ok | not found         scan [PREFIX] -> "= KEY VALUE" lines, end N
//   compact           -> ok                     stats     -> keys, blocks, generation …
//   fill PREFIX KEYS COUNT ITER -> COUNT puts (the crash test)
//   quit              -> bye; on the console the image exits with status 0, over TCP the
//                        connection closes
// A put is answered "ok" only after its flush completed, on either interface.
//
// Networking is configured when lwIP's source is there (examples/kvstore/meson.build defines
// KVSTORE_TCP; ./tessera setup fetches it): the kernel then has a network card and
// sched::Cooperative, lwIP's sockets run on its threads, and each TCP client gets a thread (at
// most kMaxClients at once; one more is told "error: too many connections" and closed). The
// console and the clients take turns on the store (one lock). Without lwIP the image is the
// console alone on sched::None, with no networking code in it.
//
// raspi3: block::Bcm2835Emmc, the SD card (`./tessera run -p raspi3 kvstore` attaches
// build/kvstore.img as the card), and no network card: the console alone.
// qemu-virt-aarch64: block::VirtioBlk and net::VirtioNet at 10.0.2.15 (static: QEMU user
// networking's guest address); `./tessera run kvstore` attaches build/kvstore.img (made on
// first use) and forwards 127.0.0.1:7000 on the host to port 7000 here (nc 127.0.0.1 7000). A
// missing card or disk stops the kernel at boot with a console message and status 70.
// hosted: block::File on the file $TESSERA_DISK, net::UdpTunnel (Ethernet frames in UDP
// datagrams on 127.0.0.1, TESSERA_UDP_TUNNEL=LOCAL:REMOTE), static 10.0.2.15.

#include <cstdio>
#include <string_view>

#include <tessera/tessera.hpp>

#include "protocol.hpp"
#include "store.hpp"

#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/block/file.hpp>
using Disk = tessera::block::File<>;
#elif defined(TESSERA_PLATFORM_RASPI3)
#include <tessera/block/bcm2835_emmc.hpp>
using Disk = tessera::block::Bcm2835Emmc<>;
#else
#include <tessera/block/virtio_blk.hpp>
using Disk = tessera::block::VirtioBlk<>;
#endif

#if defined(KVSTORE_TCP)
#include <tessera/net/lwip_sockets.hpp>
#include <tessera/sync/mutex.hpp>
#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/net/udp_tunnel.hpp>
using Net = tessera::net::UdpTunnel<>;
#else
#include <tessera/net/virtio_net.hpp>
using Net = tessera::net::VirtioNet<{.queue_size = 128, .buffers = 256}>;
#endif
namespace {
constexpr std::uint16_t kPort = 7000;
constexpr int kMaxClients = 4;
// A client's thread holds its line buffer, a reply buffer (each ~4.3 KiB) and lwIP's transmit
// path (tcp_output → link_output runs on the sender's stack under the core lock).
constexpr std::size_t kClientStack = 32 * 1024;
constexpr int kSendTimeoutMs = 5000;  // a client that stops reading its replies is closed
}  // namespace
// The console, lwIP's tcpip and receive threads, the listener and the clients.
using Sched = tessera::sched::Cooperative<{.max_threads = kMaxClients + 8}>;
#else
using Net = tessera::net::None;
using Sched = tessera::sched::None;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, Sched, Net, Disk, tessera::platform::Target>;
using Device = App::block_type;

namespace {

kv::Store<Device>* store;  // in static storage (main below): it is ~73 KiB

// The console and the TCP clients take turns on the store: a command runs whole under the lock
// (the store waits for its disk inside a command, and other threads run meanwhile).
#if defined(KVSTORE_TCP)
tessera::sync::Mutex<App> store_lock;
#endif
template <class Sink>
kv::Outcome locked_command(std::string_view line, Sink& sink) {
#if defined(KVSTORE_TCP)
  store_lock.lock();
  const auto outcome = kv::command(*store, line, sink);
  store_lock.unlock();
  return outcome;
#else
  return kv::command(*store, line, sink);
#endif
}

struct ConsoleSink {
  void write(const char* data, std::size_t size) {
    std::fwrite(data, 1, size, stdout);
    std::fflush(stdout);
  }
};

#if defined(KVSTORE_TCP)
tessera::net::LwipSockets<App> stack;
int clients = 0;  // connections being served (threads switch only when one blocks: no race)

struct SocketSink {
  int socket;
  bool broken = false;  // a send failed (closed, reset, timed out): the connection ends
  void write(const char* data, std::size_t size) {
    while (size > 0 && !broken) {
      const auto n = lwip_send(socket, data, size, 0);
      if (n <= 0) {
        broken = true;
        return;
      }
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
};

// One client: lines until it closes, says quit, or stops reading. A line cut off by the
// client's disconnect is dropped, never run.
void serve(int s) {
  kv::LineBuffer lines;
  SocketSink sink{s};
  char chunk[512];
  for (;;) {
    const auto n = lwip_recv(s, chunk, sizeof chunk, 0);
    if (n <= 0) return;
    for (long i = 0; i < n && !sink.broken; ++i) {
      const auto event = lines.add(chunk[i]);
      if (event == kv::LineBuffer::Event::line) {
        if (locked_command(lines.line(), sink) == kv::Outcome::quit) return;
      } else if (event == kv::LineBuffer::Event::too_long) {
        static constexpr char too_long[] = "error: line too long\n";
        sink.write(too_long, sizeof too_long - 1);
      }
    }
    if (sink.broken) return;
  }
}

void client(void* argument) {
  const int s = static_cast<int>(reinterpret_cast<std::intptr_t>(argument));
  serve(s);
  lwip_close(s);
  --clients;
}

void listener(void* argument) {
  const int listening = static_cast<int>(reinterpret_cast<std::intptr_t>(argument));
  for (;;) {
    const int s = lwip_accept(listening, nullptr, nullptr);
    if (s < 0) {
      App::sched().sleep_for(10'000'000);  // out of sockets or memory: let clients end
      continue;
    }
    static constexpr char busy[] = "error: too many connections\n";
    if (clients >= kMaxClients) {
      lwip_send(s, busy, sizeof busy - 1, MSG_DONTWAIT);
      lwip_close(s);
      continue;
    }
    const timeval send_timeout{.tv_sec = kSendTimeoutMs / 1000, .tv_usec = kSendTimeoutMs % 1000 * 1000};
    lwip_setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    const int one = 1;  // answers leave at once, not after the previous one's ACK
    lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++clients;
    auto thread = App::sched().spawn(&client, reinterpret_cast<void*>(static_cast<std::intptr_t>(s)),
                                     {.stack_bytes = kClientStack, .name = "kv-client", .detached = true});
    if (!thread) {  // no thread slot or stack: refused like one client too many
      --clients;
      lwip_send(s, busy, sizeof busy - 1, MSG_DONTWAIT);
      lwip_close(s);
    }
  }
}

// lwIP at 10.0.2.15 and a thread accepting clients on kPort; false (said why) on failure.
bool start_tcp() {
  if (auto started = stack.start_static({.address = {10, 0, 2, 15}, .gateway = {10, 0, 2, 2}}); !started) {
    std::printf("kvstore: lwIP did not start: %s\n", tessera::to_string(started.error()));
    return false;
  }
  const int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in here{};
  here.sin_family = AF_INET;
  here.sin_port = lwip_htons(kPort);
  here.sin_addr.s_addr = lwip_htonl(INADDR_ANY);
  if (s < 0 || lwip_bind(s, reinterpret_cast<sockaddr*>(&here), sizeof here) != 0 || lwip_listen(s, 4) != 0) {
    std::printf("kvstore: cannot listen on TCP port %u (errno %d)\n", kPort, errno);
    return false;
  }
  auto thread = App::sched().spawn(&listener, reinterpret_cast<void*>(static_cast<std::intptr_t>(s)),
                                   {.name = "kv-listener", .detached = true});
  if (!thread) {
    std::printf("kvstore: no thread for the listener: %s\n", tessera::to_string(thread.error()));
    return false;
  }
  std::printf("kvstore: listening on TCP port %u at 10.0.2.15 (lwIP %s, at most %d clients)\n", kPort,
              LWIP_VERSION_STRING, kMaxClients);
  return true;
}
#endif

int kvstore_main() {
  auto& disk = App::block();
  std::printf("kvstore: %s, %llu blocks of %zu bytes, queue depth %zu\n", Device::name,
              static_cast<unsigned long long>(disk.block_count()), disk.block_size(), disk.queue_depth());
  static kv::Store<Device> the_store(disk);
  store = &the_store;
  auto opened = store->open();
  if (!opened) {
    std::printf("kvstore: cannot open the store: %s\n", tessera::to_string(opened.error()));
    return 1;
  }
  const auto& r = opened.value();
  if (r.formatted) std::printf("kvstore: no store on this disk: formatted an empty one\n");
  std::printf("kvstore: recovered %zu keys from %zu records, generation %llu (half %u), log tail at block %llu\n",
              r.keys, r.records, static_cast<unsigned long long>(r.generation), r.half,
              static_cast<unsigned long long>(r.tail));
  if (r.garbage_regions != 0)
    std::printf("kvstore: garbage: %zu regions (%llu blocks, the first at block %llu) skipped\n", r.garbage_regions,
                static_cast<unsigned long long>(r.garbage_blocks), static_cast<unsigned long long>(r.first_garbage));
  if (r.torn_tail_blocks != 0)
    std::printf("kvstore: torn tail: %llu blocks after the last record ignored\n",
                static_cast<unsigned long long>(r.torn_tail_blocks));
#if defined(KVSTORE_TCP)
  if (!start_tcp()) return 1;
#endif
  std::printf("kvstore: ready\n");

  // A line editor on the console, which is polled: under sched::None nothing else could run;
  // with threads, the console sleeps 1 ms between looks so that the clients run.
  static kv::LineBuffer lines;
  ConsoleSink console;
  for (;;) {
    auto c = App::platform::console::read();
    if (!c) {
      if constexpr (App::scheduler_type::can_block) App::sched().sleep_for(1'000'000);
      continue;
    }
    const char ch = c.value();
    if (ch == '\r' || ch == '\n') {
      std::printf("\n");
      const auto event = lines.add('\n');
      if (event == kv::LineBuffer::Event::too_long) std::printf("error: line too long\n");
      else if (locked_command(lines.line(), console) == kv::Outcome::quit) return 0;
    } else if (ch == 0x7f || ch == 0x08) {
      if (lines.erase_last()) std::printf("\b \b");
    } else if (ch >= 0x20 && ch < 0x7f) {
      lines.add(ch);
      std::putchar(ch);  // echo: a terminal in raw mode shows nothing itself
    }
    std::fflush(stdout);
  }
}

}  // namespace

TESSERA_MAIN(App, kvstore_main)
#if defined(KVSTORE_TCP)
TESSERA_LWIP_SYS_ARCH(App)
#endif
