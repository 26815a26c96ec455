/* features.h for libstdc++ on picolibc. Debian's aarch64 libstdc++ is configured for glibc,
 * and its <bits/os_defines.h> includes glibc's <features.h> for __GLIBC_PREREQ. picolibc has
 * <sys/features.h> instead; no glibc version is ever "at least" anything. */
#pragma once
#include <sys/features.h>
#ifndef __GLIBC_PREREQ
#define __GLIBC_PREREQ(major, minor) 0
#endif
