// A whole application with lwIP's sockets (docs/networking.md). lwIP's headers come from the
// unpacked subproject; where lwIP's source is missing (./tessera setup fetches it) the
// snippet is not compiled. net::VirtioNet: qemu-virt-aarch64 only.
// platforms: qemu-virt-aarch64
// flags: -I@SOURCE@/subprojects/packagefiles/lwip/port/include -I@SOURCE@/subprojects/lwip-2.1.3/src/include -DTESSERA_LWIP_SOCKETS=1
#if __has_include(<lwip/sockets.h>)
@SNIPPET@
#endif
