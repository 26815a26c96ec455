// The CONFIG_PLATFORM_… macro of the build's own platform, for the configured-header cases.
#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
#define CONFIG_PLATFORM_QEMU_VIRT_AARCH64 1
#define CONFIG_LIBC_PICOLIBC 1
#define CONFIG_QEMU_VIRT_PAGE_TABLES_COMPILE_TIME 1
#elif defined(TESSERA_PLATFORM_HOSTED)
#define CONFIG_PLATFORM_HOSTED 1
#endif
