// net::UdpTunnel's host socket calls (include/tessera/net/udp_tunnel.hpp): here, not in the
// header, so that the header includes no host socket header (an application on lwIP's
// sockets, whose sockets.h declares the same BSD types, includes both).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace tessera::net::detail::host {

int udp_tunnel_open(std::uint16_t local, std::uint16_t remote) {
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(local);
  if (::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(s);
    return -1;
  }
  address.sin_port = htons(remote);
  if (::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

long udp_tunnel_receive(int socket, void* data, std::size_t capacity) {
  return ::recv(socket, data, capacity, MSG_DONTWAIT | MSG_TRUNC);
}

bool udp_tunnel_send(int socket, const void* data, std::size_t length) {
  return ::send(socket, data, length, MSG_DONTWAIT) == static_cast<ssize_t>(length);
}

}  // namespace tessera::net::detail::host
