// A block device without flush().
// expect: the 4th argument (Block) does not model tessera::api::BlockDevice
// expect: kernel_bad_block.cpp:18:

#include <tessera/tessera.hpp>

struct NoFlush {
  static constexpr const char* name = "NoFlush";
  static constexpr bool present = false;
  tessera::Result<void> init() { return {}; }
  std::size_t block_size() const { return 512; }
  std::uint64_t block_count() const { return 0; }
  tessera::Result<void> read(std::uint64_t, std::span<std::byte>) { return {}; }
  tessera::Result<void> write(std::uint64_t, std::span<const std::byte>) { return {}; }
};

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None, NoFlush,
                            tessera::platform::Target>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
