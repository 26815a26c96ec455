// lwIP's sockets in a kernel whose scheduler cannot block: one error, the sentence that says why
// and what to pick (net::LwipSockets and TESSERA_LWIP_SYS_ARCH both instantiate the same check).
// expect: lwIP's sockets (NO_SYS=0) need a scheduler that can block: its tcpip thread and every blocking socket call wait on semaphores and mailboxes, and sched::None has neither threads nor waiting; use tessera::sched::Cooperative<> as the kernel's scheduler (Kconfig: SCHED_COOPERATIVE)

#include <tessera/net/loopback.hpp>
#include <tessera/net/lwip_sockets.hpp>
#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::Loopback<>,
                            tessera::block::None, tessera::platform::Target>;

tessera::net::LwipSockets<App> stack;

int app_main() {
  if (!stack.start_static({.address = {10, 0, 2, 15}})) return 1;
  return lwip_socket(AF_INET, SOCK_STREAM, 0) < 0;
}

TESSERA_MAIN(App, app_main)
TESSERA_LWIP_SYS_ARCH(App)
