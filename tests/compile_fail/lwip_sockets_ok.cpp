// The control for lwip_sockets_sched_none.cpp: the same application with sched::Cooperative compiles.
// expect: compiles

#include <tessera/net/loopback.hpp>
#include <tessera/net/lwip_sockets.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::Cooperative<>, tessera::net::Loopback<>,
                            tessera::block::None, tessera::platform::Target>;

tessera::net::LwipSockets<App> stack;

int app_main() {
  if (!stack.start_static({.address = {10, 0, 2, 15}})) return 1;
  return lwip_socket(AF_INET, SOCK_STREAM, 0) < 0;
}

TESSERA_MAIN(App, app_main)
TESSERA_LWIP_SYS_ARCH(App)
