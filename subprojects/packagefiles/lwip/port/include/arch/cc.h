/* lwIP's compiler and platform glue for tessera (picolibc on bare metal, glibc on hosted). */
#ifndef TESSERA_LWIP_ARCH_CC_H
#define TESSERA_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/time.h> /* struct timeval for the sockets build (LWIP_TIMEVAL_PRIVATE 0) */
#if defined(TESSERA_PLATFORM_HOSTED)
/* The host's <poll.h> (which the hosted platform includes too) before lwIP's sockets.h, which
 * then leaves struct pollfd and the POLL… values to it instead of declaring its own. */
#include <poll.h>
#endif

/* ssize_t comes from the C library; without SSIZE_MAX lwIP (arch.h) would declare its own. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#define LWIP_PLATFORM_DIAG(x) \
  do {                        \
    printf x;                 \
  } while (0)
/* An lwIP assertion is a bug: report and stop (abort() prints and exits with its status). */
#define LWIP_PLATFORM_ASSERT(x)                                                      \
  do {                                                                               \
    printf("lwIP assertion \"%s\" failed at line %d in %s\n", x, __LINE__, __FILE__); \
    abort();                                                                         \
  } while (0)
#define LWIP_RAND() ((u32_t)rand())
#define LWIP_NO_CTYPE_H 0

#endif
