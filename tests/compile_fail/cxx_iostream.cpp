// std::cout on bare metal: a sentence that says why not and what to use instead.
// expect: tessera: <iostream> is not available on bare metal
// expect: Print with std::printf

#include <iostream>
