/* lwIP options for tessera: the raw API without an operating system (NO_SYS=1), polled from
 * the application's loop under sched::None. lwIP's memory comes from malloc/free, which on
 * bare metal are the kernel's allocator (include/tessera/detail/libc_heap.hpp), so lwIP has no
 * heap or pools of its own. Received frames reach lwIP in the driver's buffers, wrapped in
 * custom pbufs (include/tessera/net/lwip_netif.hpp): LWIP_SUPPORT_CUSTOM_PBUF. */
#ifndef TESSERA_LWIPOPTS_H
#define TESSERA_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0 /* one thread: nothing to protect */

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
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 1
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define PBUF_POOL_SIZE 32

#endif
