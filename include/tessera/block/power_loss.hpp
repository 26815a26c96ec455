#pragma once
// block::PowerLoss<B> — a test device that loses power the way a real disk does. Writes since
// the last completed flush stay in a volatile cache (reads see them); a flush writes them to B
// and flushes B. At a seeded crash point (arm(): after that many more requests) power goes:
// any subset of the cached writes reaches B, in order, one of those blocks torn (only a prefix
// of its new bytes lands), the rest are lost, and every later request fails with io_error. A
// store that acknowledges a write before its flush completes loses it here; killing QEMU,
// whose host keeps everything QEMU wrote, cannot show that. (SQLite's crash-test VFS works
// the same way.)
//
// Options: none; B is any BlockDevice recipe or component (bound like a kernel slot).
// Cost: the cached writes' bytes (std::vector, from the kernel's heap); a write is a copy, a
// read is B's read plus the cache laid over it. For tests, not for images that ship.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tessera/api/block_device.hpp"
#include "tessera/block/none.hpp"
#include "tessera/block/request.hpp"
#include "tessera/kernel.hpp"

namespace tessera::block {

namespace detail {

// The volatile cache and the crash, independent of the device below (not a template).
class VolatileCache {
 public:
  struct Write {
    std::uint64_t block;
    std::uint32_t count;
    std::size_t offset;  // into bytes_
  };
  struct CrashReport {
    std::size_t cached = 0, kept = 0, dropped = 0;
    bool torn = false;
  };

  void clear() {
    writes_.clear();
    bytes_.clear();
  }
  void add(const api::BlockRequest& r, std::size_t block_size) {
    writes_.push_back({r.block, r.count, bytes_.size()});
    bytes_.insert(bytes_.end(), r.buffer, r.buffer + std::size_t{r.count} * block_size);
  }
  // Lays the cached writes (in order: the newest wins) over blocks just read from below.
  void overlay(api::BlockRequest& r, std::size_t block_size) const {
    for (const Write& w : writes_) {
      const std::uint64_t from = w.block > r.block ? w.block : r.block;
      const std::uint64_t to_w = w.block + w.count, to_r = r.block + r.count;
      const std::uint64_t to = to_w < to_r ? to_w : to_r;
      if (from >= to) continue;
      std::memcpy(r.buffer + (from - r.block) * block_size, bytes_.data() + w.offset + (from - w.block) * block_size,
                  (to - from) * block_size);
    }
  }
  const std::vector<Write>& writes() const { return writes_; }
  const std::byte* data(const Write& w) const { return bytes_.data() + w.offset; }

  // splitmix64: a seeded sequence, the same on every machine.
  static std::uint64_t next(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e37'79b9'7f4a'7c15u);
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9u;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebu;
    return z ^ (z >> 31);
  }

 private:
  std::vector<Write> writes_;
  std::vector<std::byte> bytes_;
};

// The wrapper over a device object `Dev` it owns (unit tests use it directly).
template <class Dev>
class PowerLossDevice {
 public:
  static constexpr const char* name = "block::PowerLoss";
  static constexpr bool present = true;

  Dev& inner() { return device_; }
  Result<void> init() { return device_.init(); }
  std::size_t block_size() const { return device_.block_size(); }
  std::uint64_t block_count() const { return device_.block_count(); }
  std::size_t queue_depth() const { return 1; }  // one request at a time: crash points are exact

  // Power goes when `requests` more requests have been submitted (that one fails); the seed
  // picks what survives. 0 disarms.
  void arm(std::uint64_t requests, std::uint64_t seed) {
    countdown_ = requests;
    seed_ = seed;
  }
  bool crashed() const { return crashed_; }
  // Back on: a fresh, empty cache over whatever reached the device.
  void power_on() {
    crashed_ = false;
    countdown_ = 0;
    cache_.clear();
  }
  const VolatileCache::CrashReport& last_crash() const { return report_; }
  std::uint64_t flushes() const { return flushes_; }

  // Loses power now (arm() does this at its point).
  void crash() {
    if (crashed_) return;
    crashed_ = true;
    report_ = {};
    report_.cached = cache_.writes().size();
    std::uint64_t state = seed_;
    const std::size_t size = device_.block_size();
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < cache_.writes().size(); ++i)
      if (VolatileCache::next(state) % 2 == 0) kept.push_back(i);
    // One kept block is torn: only its first 1..size-1 bytes are new.
    const std::size_t torn = kept.empty() ? SIZE_MAX : kept[VolatileCache::next(state) % kept.size()];
    for (std::size_t i : kept) {
      const auto& w = cache_.writes()[i];
      alignas(api::kBlockBufferAlignment) std::byte one[65536];
      for (std::uint32_t b = 0; b < w.count; ++b) {
        const std::byte* fresh = cache_.data(w) + std::size_t{b} * size;
        if (i == torn && b == VolatileCache::next(state) % w.count) {
          (void)read(device_, w.block + b, {one, size});
          std::memcpy(one, fresh, 1 + VolatileCache::next(state) % (size - 1));
          report_.torn = true;
        } else {
          std::memcpy(one, fresh, size);
        }
        (void)write(device_, w.block + b, {one, size});
      }
    }
    (void)flush(device_);
    report_.kept = kept.size();
    report_.dropped = report_.cached - kept.size();
    cache_.clear();
  }

  Result<void> submit(api::BlockRequest& r) {
    if (auto checked = check(r, device_.block_size(), device_.block_count()); !checked) return checked;
    r.done = false;
    if (!crashed_ && countdown_ != 0 && --countdown_ == 0) crash();
    if (crashed_) {  // no power: the device fails every request
      complete(r, Error::io_error);
      return {};
    }
    if (r.op == api::BlockOp::write) {
      cache_.add(r, device_.block_size());
      complete(r, Error{});
    } else if (r.op == api::BlockOp::read) {
      api::BlockRequest below = r;
      auto result = run(device_, below);
      if (result) cache_.overlay(r, device_.block_size());
      complete(r, result ? Error{} : result.error());
    } else {
      complete(r, drain() ? Error{} : Error::io_error);
    }
    return {};
  }
  std::size_t poll() { return 0; }
  Result<void> wait(api::BlockRequest& r) {
    return is_done(r) ? r.result() : Result<void>{fail(Error::invalid_argument)};
  }

 private:
  bool drain() {
    const std::size_t size = device_.block_size();
    for (const auto& w : cache_.writes()) {
      if (!write(device_, w.block, {cache_.data(w), std::size_t{w.count} * size})) return false;
    }
    cache_.clear();
    ++flushes_;
    return flush(device_).ok();
  }

  Dev device_;
  VolatileCache cache_;
  VolatileCache::CrashReport report_;
  std::uint64_t countdown_ = 0, seed_ = 0, flushes_ = 0;
  bool crashed_ = false;
};

}  // namespace detail

template <class B>
struct PowerLoss {
  template <class K>
  class bind : public detail::PowerLossDevice<bound_t<B, K>> {};
};

static_assert(api::BlockDevice<detail::PowerLossDevice<None>>);

}  // namespace tessera::block
