/* lwIP's operating-system types for tessera (NO_SYS=0, the sockets build). Each is a handle to
 * an object of the kernel's (a sync::Semaphore, a sync::Mutex, a mailbox built on them),
 * allocated from the kernel's allocator by the functions that TESSERA_LWIP_SYS_ARCH defines
 * (include/tessera/net/lwip_sys_arch.hpp). A null handle is an invalid object, as lwIP's
 * sys_*_valid/sys_*_set_invalid expect. */
#ifndef TESSERA_LWIP_ARCH_SYS_ARCH_H
#define TESSERA_LWIP_ARCH_SYS_ARCH_H

typedef struct { void* object; } sys_sem_t;
typedef struct { void* object; } sys_mutex_t;
typedef struct { void* object; } sys_mbox_t;
typedef unsigned int sys_thread_t;  /* the scheduler's thread id */
typedef unsigned long sys_prot_t;   /* sys_arch_protect's nesting depth on entry */

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#define sys_sem_valid(s) ((s)->object != NULL)
#define sys_sem_set_invalid(s) ((s)->object = NULL)
#define sys_mutex_valid(m) ((m)->object != NULL)
#define sys_mutex_set_invalid(m) ((m)->object = NULL)
#define sys_mbox_valid(m) ((m)->object != NULL)
#define sys_mbox_set_invalid(m) ((m)->object = NULL)

#endif
