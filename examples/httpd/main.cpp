// httpd: an HTTP/1.1 server on lwIP's BSD sockets. GET / returns a static page, GET /stats a
// JSON object with the heap in use and the network counters; keep-alive by default
// (HTTP/1.1), pipelined requests answered in order. One thread per connection
// (sched::Cooperative), at most kMaxConnections at once.
//
// Bad input is closed and counted, never a crash, a hang or a leak: a head larger than the
// request buffer (431, too_large), more than 32 header fields (431, header_flood), a malformed
// request (400, bad_request), a body (413, has_body), a connection that sends nothing for
// kIdleMs or takes longer than kRequestMs over one request (closed, timed_out), a connection
// beyond kMaxConnections (503 and closed, rejected).
//
// qemu-virt-aarch64: net::VirtioNet, the address from DHCP (QEMU user networking's server:
// 10.0.2.15); `./tessera run httpd` forwards 127.0.0.1:8080 on the host to port 80 here and
// prints the URL. Without a network card the kernel stops at boot with a console message and
// exit status 70. hosted: net::UdpTunnel (frames in UDP datagrams on 127.0.0.1, for a peer
// such as a QEMU guest's -netdev dgram), static 10.0.2.15.

#include <cstdio>
#include <cstring>

#include <tessera/net/lwip_sockets.hpp>
#include <tessera/tessera.hpp>
#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/net/udp_tunnel.hpp>
using Net = tessera::net::UdpTunnel<>;  // Ethernet frames in UDP datagrams on 127.0.0.1 (TESSERA_UDP_TUNNEL=LOCAL:REMOTE)
#else
#include <tessera/net/virtio_net.hpp>
using Net = tessera::net::VirtioNet<{.queue_size = 128, .buffers = 256}>;
#endif

#include "http.hpp"

namespace {

constexpr int kMaxConnections = 40;
constexpr std::size_t kRequestBuffer = 4096;  // the largest request head
constexpr int kIdleMs = 5000;                 // a connection silent this long is closed
constexpr std::uint32_t kRequestMs = 10'000;  // one request's head must arrive within this
// A connection's thread holds the request buffer, the /stats text and lwIP's whole transmit
// path (tcp_output → link_output runs on the sender's stack under the core lock).
constexpr std::size_t kWorkerStack = 16 * 1024;

}  // namespace

using App = tessera::Kernel<tessera::alloc::Tlsf<>,
                            tessera::sched::Cooperative<{.max_threads = kMaxConnections + 8}>,
                            Net, tessera::block::None,
                            tessera::platform::Target>;

namespace {

tessera::net::LwipSockets<App> stack;

struct Counters {
  std::uint64_t connections = 0, requests = 0, rejected = 0, bad_request = 0, too_large = 0, header_flood = 0,
                has_body = 0, timed_out = 0, not_found = 0, accept_failed = 0;
  int active = 0;
} counters;

constexpr char kPage[] =
    "<!doctype html>\n<html><head><title>tessera httpd</title></head>\n<body><h1>Hello from tessera</h1>\n"
    "<p>An HTTP/1.1 server on lwIP's sockets, in a unikernel. Counters: <a href=\"/stats\">/stats</a>.</p>\n"
    "</body></html>\n";

std::uint64_t now_ms() {
  using clock = App::platform::clock;
  return clock::now() * 1000u / clock::frequency();
}

bool send_all(int s, const char* data, std::size_t size, int flags = 0) {
  while (size > 0) {
    const auto n = lwip_send(s, data, size, flags);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool respond(int s, const char* status, const char* type, const char* body, std::size_t length, bool keep_alive,
             bool head_only = false) {
  char head[256];
  const int n = std::snprintf(head, sizeof head,
                              "HTTP/1.1 %s\r\nServer: tessera-httpd\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                              "Connection: %s\r\n\r\n",
                              status, type, length, keep_alive ? "keep-alive" : "close");
  // MSG_MORE: the head waits for the body, and both leave in one segment.
  return send_all(s, head, static_cast<std::size_t>(n), head_only ? 0 : MSG_MORE) &&
         (head_only || send_all(s, body, length));
}

std::size_t stats_json(char* out, std::size_t size) {
  const auto heap = App::alloc().stats();
  const auto nic = App::net().counters();
  const auto& lwip = stack.counters();
  const int n = std::snprintf(
      out, size,
      "{\"heap_in_use\": %zu, \"heap_peak\": %zu, \"heap_free\": %zu,\n"
      " \"http\": {\"connections\": %llu, \"active\": %d, \"requests\": %llu, \"rejected\": %llu, "
      "\"bad_request\": %llu, \"too_large\": %llu, \"header_flood\": %llu, \"has_body\": %llu, \"timed_out\": %llu, "
      "\"not_found\": %llu, \"accept_failed\": %llu},\n"
      " \"nic\": {\"rx_packets\": %llu, \"rx_bytes\": %llu, \"rx_dropped\": %llu, \"rx_errors\": %llu, "
      "\"tx_packets\": %llu, \"tx_bytes\": %llu, \"tx_dropped\": %llu, \"tx_errors\": %llu},\n"
      " \"lwip\": {\"rx_frames\": %llu, \"tx_frames\": %llu, \"rx_dropped_no_pbuf\": %llu, \"rx_dropped_short\": %llu, "
      "\"tx_dropped\": %llu, \"tx_copies\": %llu}}\n",
      static_cast<std::size_t>(heap.bytes_in_use), static_cast<std::size_t>(heap.peak_in_use),
      static_cast<std::size_t>(heap.bytes_free), static_cast<unsigned long long>(counters.connections), counters.active,
      static_cast<unsigned long long>(counters.requests), static_cast<unsigned long long>(counters.rejected),
      static_cast<unsigned long long>(counters.bad_request), static_cast<unsigned long long>(counters.too_large),
      static_cast<unsigned long long>(counters.header_flood), static_cast<unsigned long long>(counters.has_body),
      static_cast<unsigned long long>(counters.timed_out), static_cast<unsigned long long>(counters.not_found),
      static_cast<unsigned long long>(counters.accept_failed), static_cast<unsigned long long>(nic.rx_packets),
      static_cast<unsigned long long>(nic.rx_bytes), static_cast<unsigned long long>(nic.rx_dropped),
      static_cast<unsigned long long>(nic.rx_errors), static_cast<unsigned long long>(nic.tx_packets),
      static_cast<unsigned long long>(nic.tx_bytes), static_cast<unsigned long long>(nic.tx_dropped),
      static_cast<unsigned long long>(nic.tx_errors), static_cast<unsigned long long>(lwip.rx_frames),
      static_cast<unsigned long long>(lwip.tx_frames), static_cast<unsigned long long>(lwip.rx_dropped_no_pbuf),
      static_cast<unsigned long long>(lwip.rx_dropped_short), static_cast<unsigned long long>(lwip.tx_dropped),
      static_cast<unsigned long long>(lwip.tx_copies));
  return n < 0 ? 0 : static_cast<std::size_t>(n) < size ? static_cast<std::size_t>(n) : size - 1;
}

// Answers one parsed request; false: close the connection.
bool answer(int s, const httpd::Request& request) {
  ++counters.requests;
  const bool head_only = request.method == "HEAD";
  if (request.method != "GET" && !head_only) {
    static constexpr char body[] = "only GET and HEAD\n";
    respond(s, "405 Method Not Allowed", "text/plain", body, sizeof body - 1, false);
    return false;
  }
  if (request.target == "/" || request.target == "/index.html")
    return respond(s, "200 OK", "text/html", kPage, sizeof kPage - 1, request.keep_alive, head_only) &&
           request.keep_alive;
  if (request.target == "/stats") {
    char json[1024];
    const std::size_t n = stats_json(json, sizeof json);
    return respond(s, "200 OK", "application/json", json, n, request.keep_alive, head_only) && request.keep_alive;
  }
  ++counters.not_found;
  static constexpr char body[] = "not found\n";
  return respond(s, "404 Not Found", "text/plain", body, sizeof body - 1, request.keep_alive, head_only) &&
         request.keep_alive;
}

// One connection: requests until the client closes, asks to, misbehaves or stalls.
void serve(int s) {
  static_assert(kRequestBuffer >= 512);
  char buffer[kRequestBuffer];
  std::size_t have = 0;
  std::uint64_t request_started = 0;
  for (;;) {
    httpd::Request request;
    const httpd::Parse parsed = httpd::parse(buffer, have, request);
    if (parsed == httpd::Parse::ok) {
      if (!answer(s, request)) return;
      std::memmove(buffer, buffer + request.head_bytes, have - request.head_bytes);  // a pipelined next request
      have -= request.head_bytes;
      request_started = have > 0 ? now_ms() : 0;
      continue;
    }
    if (parsed != httpd::Parse::incomplete) {
      static constexpr char bad[] = "bad request\n", flood[] = "too many header fields\n", body[] = "no request bodies\n";
      if (parsed == httpd::Parse::bad_request) {
        ++counters.bad_request;
        respond(s, "400 Bad Request", "text/plain", bad, sizeof bad - 1, false);
      } else if (parsed == httpd::Parse::header_flood) {
        ++counters.header_flood;
        respond(s, "431 Request Header Fields Too Large", "text/plain", flood, sizeof flood - 1, false);
      } else {
        ++counters.has_body;
        respond(s, "413 Content Too Large", "text/plain", body, sizeof body - 1, false);
      }
      return;
    }
    if (have == sizeof buffer) {
      ++counters.too_large;
      static constexpr char large[] = "request head too large\n";
      respond(s, "431 Request Header Fields Too Large", "text/plain", large, sizeof large - 1, false);
      return;
    }
    if (have > 0 && request_started != 0 && now_ms() - request_started > kRequestMs) {
      ++counters.timed_out;  // trickling a request in (slowloris)
      return;
    }
    const auto n = lwip_recv(s, buffer + have, sizeof buffer - have, 0);
    if (n == 0) return;  // the client closed
    if (n < 0) {
      if (errno == EWOULDBLOCK || errno == EAGAIN) ++counters.timed_out;  // SO_RCVTIMEO: silent for kIdleMs
      return;
    }
    if (have == 0) request_started = now_ms();
    have += static_cast<std::size_t>(n);
  }
}

void connection(void* argument) {
  const int s = static_cast<int>(reinterpret_cast<std::intptr_t>(argument));
  serve(s);
  lwip_close(s);
  --counters.active;
}

int httpd_main() {
#if defined(TESSERA_PLATFORM_HOSTED)
  // The tunnel's peer (a QEMU guest's -netdev dgram, a test) runs no DHCP server: QEMU user
  // networking's guest address, fixed.
  if (auto started = stack.start_static({.address = {10, 0, 2, 15}, .gateway = {10, 0, 2, 2}}); !started) {
    std::printf("httpd: lwIP did not start: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  const char* how = "static address";
#else
  if (auto started = stack.start_dhcp(10'000); !started) {
    std::printf("httpd: no address from DHCP: %s\n", tessera::to_string(started.error()));
    return 1;
  }
  const char* how = "DHCP lease";
#endif
  const auto lease = stack.settings();
  std::printf("httpd: %s %u.%u.%u.%u/%u.%u.%u.%u, gateway %u.%u.%u.%u\n", how, lease.address.a, lease.address.b,
              lease.address.c, lease.address.d, lease.netmask.a, lease.netmask.b, lease.netmask.c, lease.netmask.d,
              lease.gateway.a, lease.gateway.b, lease.gateway.c, lease.gateway.d);

  const int listener = lwip_socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in here{};
  here.sin_family = AF_INET;
  here.sin_port = lwip_htons(80);
  here.sin_addr.s_addr = lwip_htonl(INADDR_ANY);
  if (listener < 0 || lwip_bind(listener, reinterpret_cast<sockaddr*>(&here), sizeof here) != 0 ||
      lwip_listen(listener, 16) != 0) {
    std::printf("httpd: cannot listen on TCP port 80 (errno %d)\n", errno);
    return 1;
  }
  std::printf("httpd: lwIP %s sockets, listening on http://%u.%u.%u.%u:80/ (at most %d connections)\n",
              LWIP_VERSION_STRING, lease.address.a, lease.address.b, lease.address.c, lease.address.d,
              kMaxConnections);
  for (;;) {
    const int s = lwip_accept(listener, nullptr, nullptr);
    if (s < 0) {
      ++counters.accept_failed;
      App::sched().sleep_for(10'000'000);  // out of sockets or memory: let connections end
      continue;
    }
    ++counters.connections;
    if (counters.active >= kMaxConnections) {
      ++counters.rejected;
      static constexpr char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      lwip_send(s, busy, sizeof busy - 1, MSG_DONTWAIT);
      lwip_close(s);
      continue;
    }
    const timeval idle{.tv_sec = kIdleMs / 1000, .tv_usec = kIdleMs % 1000 * 1000};
    lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    lwip_setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof idle);
    // No Nagle: a keep-alive response must not wait for the ACK of the previous one.
    const int one = 1;
    lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++counters.active;
    auto worker = App::sched().spawn(&connection, reinterpret_cast<void*>(static_cast<std::intptr_t>(s)),
                                     {.stack_bytes = kWorkerStack, .name = "http", .detached = true});
    if (!worker) {  // no thread slot or stack: refused like one connection too many
      --counters.active;
      ++counters.rejected;
      lwip_close(s);
    }
  }
}

}  // namespace

TESSERA_MAIN(App, httpd_main)
TESSERA_LWIP_SYS_ARCH(App)
