/* lwIP's clock for NO_SYS=1 (timeouts: ARP ageing, TCP timers): milliseconds since boot,
 * wrapping at 2^32 as lwIP expects. Read from the platform's monotonic clock directly: the
 * aarch64 generic timer (virtual count, CNTVCT_EL0, at CNTFRQ_EL0 Hz; Arm DDI 0487 D11) or,
 * hosted, CLOCK_MONOTONIC. Not a template: lwIP calls it by name. */
#if defined(TESSERA_PLATFORM_HOSTED)
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#endif
#include <stdint.h>

#if !defined(TESSERA_PLATFORM_HOSTED) && defined(__aarch64__)
uint32_t sys_now(void) {
  uint64_t count, frequency;
  __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(count));
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
  return (uint32_t)(count / (frequency / 1000u));
}
#else
#include <time.h>
uint32_t sys_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint32_t)((uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u);
}
#endif
