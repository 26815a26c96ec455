// <future> on bare metal: not available (its compiled part needs glibc and exceptions).
// expect: tessera: <future> is not available on bare metal
// expect: std::condition_variable

#include <future>
