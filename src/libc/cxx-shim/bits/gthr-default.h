/* libstdc++'s thread layer for a glibc target is POSIX threads (<pthread.h>), which picolibc
 * does not have. tessera images are single-threaded C++ runtimes (the scheduler's threads do
 * not share libstdc++'s locks), so libstdc++'s own single-threaded layer is used. */
#pragma once
#include <bits/gthr-single.h>
