/* lwIP options for tessera, in two builds (meson.build: lwip_dep and lwip_sockets_dep):
 *
 * - The raw API without an operating system (NO_SYS=1), polled from the application's loop
 *   under sched::None (net::LwipNetif::poll).
 * - TESSERA_LWIP_SOCKETS=1: NO_SYS=0, BSD sockets and netconn on tessera's threads. lwIP's
 *   tcpip thread, its semaphores, mutexes and mailboxes are the kernel's (sys_arch in
 *   include/tessera/net/lwip_sys_arch.hpp, bound to the application's kernel by
 *   TESSERA_LWIP_SYS_ARCH); the core is entered under one lock (LWIP_TCPIP_CORE_LOCKING), so
 *   the glue hands received frames to lwIP with direct calls, not messages. Static IPv4 or DHCP.
 *
 * Both: lwIP's memory comes from malloc/free, which on bare metal are the kernel's allocator
 * (include/tessera/detail/libc_heap.hpp), so lwIP has no heap or pools of its own. Received
 * frames reach lwIP in the driver's buffers, wrapped in custom pbufs
 * (include/tessera/net/lwip_netif.hpp): LWIP_SUPPORT_CUSTOM_PBUF. */
#ifndef TESSERA_LWIPOPTS_H
#define TESSERA_LWIPOPTS_H

#ifndef TESSERA_LWIP_SOCKETS
#define TESSERA_LWIP_SOCKETS 0
#endif

#if TESSERA_LWIP_SOCKETS
#define NO_SYS 0
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
/* lwip_socket, lwip_recv …: no macros named socket/recv (they would clash with the host C
 * library's declarations on hosted). */
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_ERRNO_STDINCLUDE 1 /* errno and its E… values from the C library (picolibc, glibc) */
#define LWIP_SOCKET_POLL 0      /* select only: struct pollfd would clash with <poll.h> on hosted */
#define LWIP_TIMEVAL_PRIVATE 0  /* struct timeval from the C library (arch/cc.h includes sys/time.h) */
#define LWIP_SO_RCVTIMEO 1      /* receive timeouts: how httpd closes stalled connections */
#define LWIP_SO_SNDTIMEO 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define SYS_LIGHTWEIGHT_PROT 1  /* sys_arch_protect: the scheduler's critical section */
/* Sockets at once (sockets.c keeps a static array of this many). */
#define MEMP_NUM_NETCONN 64
#define TCPIP_THREAD_NAME "lwip-tcpip"
#define TCPIP_THREAD_STACKSIZE (16 * 1024)
#define TCPIP_MBOX_SIZE 64
#define DEFAULT_TCP_RECVMBOX_SIZE 32
#define DEFAULT_UDP_RECVMBOX_SIZE 64
#define DEFAULT_ACCEPTMBOX_SIZE 16
#define DEFAULT_THREAD_STACKSIZE (16 * 1024)
#define LWIP_DHCP 1
/* QEMU's user network is the only host on its subnet: no ARP probe of the offered address
 * (it would add a second to every boot). */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_NETIF_STATUS_CALLBACK 0
/* A closed connection's TIME_WAIT lasts 2 × TCP_MSL. lwIP's default (60 s) keeps every closed
 * connection's PCB in the heap for two minutes; a unikernel behind QEMU's user network does not
 * need that long (the peer is QEMU's stack on the same machine). */
#define TCP_MSL 1000UL
#else
#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0 /* one thread: nothing to protect */
#define LWIP_DHCP 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#endif

#define MEM_LIBC_MALLOC 1  /* mem_malloc → malloc: the kernel's allocator */
#define MEMP_MEM_MALLOC 1  /* pools too: no static arrays */
#define MEM_ALIGNMENT 8
#define LWIP_SUPPORT_CUSTOM_PBUF 1

#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_RAW 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_STATS 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 1
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define PBUF_POOL_SIZE 32

#endif
