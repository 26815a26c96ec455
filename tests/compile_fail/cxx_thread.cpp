// std::thread on bare metal, before tessera's thread layer for libstdc++ exists.
// expect: tessera: <thread> is not available on bare metal yet
// expect: Kernel::sched()

#include <thread>
