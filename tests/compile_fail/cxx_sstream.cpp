// std::ostringstream on bare metal: a sentence that says why not and what to use instead.
// expect: tessera: <sstream> is not available on bare metal
// expect: std::to_chars or std::to_string

#include <sstream>
