#pragma once
// block::Ramdisk — a disk in RAM: `.blocks` blocks of `.block_size` bytes, taken from the
// kernel's page allocator at init(). Every request is finished inside submit() (a copy), so
// poll() finds nothing and wait() returns at once; contents last until the machine stops.
//
// Options: .block_size — bytes per block, a power of two from 512 to 65536 (default 512);
//          .blocks — at least 1 (default 2048: 1 MiB).
// Cost: block_size * blocks bytes of RAM; a request is the checks and a memcpy; 3 words of
// state. detail::RamdiskCore (over memory the caller gives) is the whole logic, not a
// template, and models api::BlockDevice itself (hosted unit tests use it directly).

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tessera/api/block_device.hpp"
#include "tessera/block/request.hpp"
#include "tessera/lib/bits.hpp"

namespace tessera::block {

struct RamdiskOptions {
  std::size_t block_size = 512;
  std::uint64_t blocks = 2048;
};

namespace detail {

class RamdiskCore {
 public:
  static constexpr const char* name = "block::Ramdisk";
  static constexpr bool present = true;

  RamdiskCore() = default;
  RamdiskCore(std::byte* storage, std::size_t block_size, std::uint64_t blocks) { attach(storage, block_size, blocks); }
  void attach(std::byte* storage, std::size_t block_size, std::uint64_t blocks) {
    storage_ = storage;
    block_size_ = block_size;
    blocks_ = blocks;
  }
  Result<void> init() { return storage_ != nullptr ? Result<void>{} : Result<void>{fail(Error::not_supported)}; }
  std::size_t block_size() const { return block_size_; }
  std::uint64_t block_count() const { return blocks_; }
  std::size_t queue_depth() const { return 64; }  // never full: requests finish in submit()
  std::uint32_t in_flight() const { return 0; }

  Result<void> submit(api::BlockRequest& r) {
    if (storage_ == nullptr) return fail(Error::not_supported);
    if (auto checked = check(r, block_size_, blocks_); !checked) return checked;
    r.done = false;
    const std::size_t bytes = std::size_t{r.count} * block_size_;
    std::byte* at = storage_ + r.block * block_size_;
    if (r.op == api::BlockOp::read) std::memcpy(r.buffer, at, bytes);
    if (r.op == api::BlockOp::write) std::memcpy(at, r.buffer, bytes);
    complete(r, Error{});
    return {};
  }
  std::size_t poll() { return 0; }
  Result<void> wait(api::BlockRequest& r) {
    return is_done(r) ? r.result() : Result<void>{fail(Error::invalid_argument)};  // never submitted
  }

  std::byte* storage() const { return storage_; }

 private:
  std::byte* storage_ = nullptr;
  std::size_t block_size_ = 0;
  std::uint64_t blocks_ = 0;
};
static_assert(api::BlockDevice<RamdiskCore>);

}  // namespace detail

template <RamdiskOptions Options = RamdiskOptions{}>
struct Ramdisk {
  static_assert(lib::is_power_of_two(Options.block_size) && Options.block_size >= 512 && Options.block_size <= 65536,
                "block::Ramdisk: option .block_size must be a power of two from 512 to 65536");
  static_assert(Options.blocks >= 1, "block::Ramdisk: option .blocks must be at least 1");
  static_assert(Options.blocks <= (std::uint64_t{1} << 40) / Options.block_size,
                "block::Ramdisk: options .block_size * .blocks exceed 1 TiB");

  template <class K>
  class bind : public detail::RamdiskCore {
   public:
    // Its block from the page allocator: the storage (Kernel checks it fits).
    static constexpr std::size_t page_block_bytes = Options.block_size * Options.blocks;
    Result<void> init() {
      auto memory = K::page_allocator().allocate(Options.block_size * Options.blocks, 4096);
      if (!memory) return fail(memory.error());
      std::memset(memory.value(), 0, Options.block_size * Options.blocks);
      attach(static_cast<std::byte*>(memory.value()), Options.block_size, Options.blocks);
      return {};
    }
  };
};

static_assert(api::BlockDevice<Ramdisk<>::bind<void>>);

}  // namespace tessera::block
