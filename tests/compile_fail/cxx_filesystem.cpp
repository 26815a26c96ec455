// std::filesystem in a unikernel.
// expect: tessera: <filesystem> is not available on bare metal
// expect: BlockDevice API

#include <filesystem>
