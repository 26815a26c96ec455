// examples/kvstore/store.hpp (kv::Store) on block::Ramdisk and block::File under ASan:
// put/get/erase/scan-by-prefix, reopening replays the log, compaction keeps exactly the live
// keys, a torn tail is ignored, garbage inside the log is reported and skipped, a full disk is
// no_space and a failing device io_error, with the store still readable afterwards.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <tessera/block/file.hpp>
#include <tessera/block/power_loss.hpp>
#include <tessera/block/ramdisk.hpp>

#include "../printers.hpp"
#include "store.hpp"

namespace {

using tessera::Error;
using Ram = tessera::block::detail::RamdiskCore;

constexpr std::uint64_t kBlocks = 512;  // 256 KiB: two superblocks, two halves of 255 blocks

struct alignas(16) Disk {
  std::vector<std::byte> bytes = std::vector<std::byte>(kBlocks * 512 + 16);
  std::byte* data() { return bytes.data() + (16 - reinterpret_cast<std::uintptr_t>(bytes.data()) % 16) % 16; }
};

template <class D>
std::string get(kv::Store<D>& s, const std::string& key) {
  char out[kv::kMaxValue];
  auto r = s.get(key, {out, sizeof out});
  REQUIRE(r.ok());
  return r.value().found ? std::string(out, r.value().length) : std::string("<absent>");
}

template <class D>
std::map<std::string, std::string> all(kv::Store<D>& s, const std::string& prefix = "") {
  std::map<std::string, std::string> m;
  auto n = s.scan(prefix, [&](std::string_view k, std::string_view v) { m[std::string(k)] = std::string(v); });
  REQUIRE(n.ok());
  CHECK(n.value() == m.size());
  return m;
}

// The same script on any device: operations, then a reopen that must see the same state.
template <class D>
void basic_script(D& device) {
  {
    kv::Store<D> s(device);
    auto opened = s.open();
    REQUIRE(opened.ok());
    CHECK(opened.value().formatted);
    REQUIRE(s.put("apple", "red").ok());
    REQUIRE(s.put("apricot", "orange").ok());
    REQUIRE(s.put("banana", "yellow").ok());
    REQUIRE(s.put("apple", "green").ok());  // overwritten
    CHECK(get(s, "apple") == "green");
    CHECK(get(s, "cherry") == "<absent>");
    CHECK(s.erase("banana").value());
    CHECK_FALSE(s.erase("banana").value());
    CHECK(get(s, "banana") == "<absent>");
    auto ap = all(s, "ap");
    CHECK(ap == std::map<std::string, std::string>{{"apple", "green"}, {"apricot", "orange"}});
    CHECK(all(s, "zz").empty());
    // Bad input: refused, nothing written.
    CHECK(s.put("", "x").error() == Error::invalid_argument);
    CHECK(s.put(std::string(256, 'k'), "x").error() == Error::invalid_argument);
    CHECK(s.put("k", std::string(kv::kMaxValue + 1, 'v')).error() == Error::invalid_argument);
    REQUIRE(s.put("big", std::string(kv::kMaxValue, 'v')).ok());
    char small[4];
    auto partial = s.get("big", {small, 4});
    REQUIRE(partial.ok());
    CHECK(partial.value().length == kv::kMaxValue);  // the length, though only 4 bytes fit
  }
  kv::Store<D> again(device);
  auto opened = again.open();
  REQUIRE(opened.ok());
  CHECK_FALSE(opened.value().formatted);
  CHECK(opened.value().garbage_regions == 0);
  CHECK(opened.value().keys == 3);
  CHECK(all(again) == std::map<std::string, std::string>{{"apple", "green"}, {"apricot", "orange"},
                                                          {"big", std::string(kv::kMaxValue, 'v')}});
}

}  // namespace

TEST_CASE("kv::Store on block::Ramdisk: operations survive a reopen") {
  static Disk disk;
  Ram device(disk.data(), 512, kBlocks);
  basic_script(device);
}

TEST_CASE("kv::Store on block::File: operations survive a reopen (a new file descriptor)") {
  char path[] = "/tmp/tessera-kvstore-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, kBlocks * 512) == 0);
  close(fd);
  {
    tessera::block::detail::FileCore device;
    REQUIRE(device.open(path, 512).ok());
    basic_script(device);
  }
  tessera::block::detail::FileCore device;  // as after a reboot
  REQUIRE(device.open(path, 512).ok());
  kv::Store<tessera::block::detail::FileCore> s(device);
  REQUIRE(s.open().ok());
  CHECK(get(s, "apricot") == "orange");
  unlink(path);
}

TEST_CASE("kv::Store: compaction keeps exactly the live keys, and a full disk is no_space") {
  static Disk disk;
  Ram device(disk.data(), 512, kBlocks);
  kv::Store<Ram> s(device);
  REQUIRE(s.open().ok());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 2000; ++i) {  // ~2 blocks a record: the 255-block log compacts many times
    const std::string key = "k" + std::to_string(i % 37);
    const std::string value = std::string(300 + i % 200, char('a' + i % 26)) + std::to_string(i);
    if (i % 11 == 0) {
      REQUIRE(s.erase(key).ok());
      model.erase(key);
    } else {
      REQUIRE(s.put(key, value).ok());
      model[key] = value;
    }
  }
  CHECK(s.stats().compactions > 5);
  CHECK(all(s) == model);
  REQUIRE(s.compact().ok());
  CHECK(all(s) == model);
  kv::Store<Ram> reopened(device);
  auto r = reopened.open();
  REQUIRE(r.ok());
  CHECK(r.value().garbage_regions == 0);
  CHECK(all(reopened) == model);

  // Fill with distinct keys until the live data no longer fits in a half.
  int stored = 0;
  tessera::Result<void> last;
  for (int i = 0; i < 1000; ++i) {
    last = reopened.put("fill" + std::to_string(i), std::string(900, 'f'));
    if (!last) break;
    ++stored;
  }
  CHECK(last.error() == Error::no_space);
  CHECK(stored > 50);
  // Still readable and still writable once something is erased.
  CHECK(get(reopened, "fill0") == std::string(900, 'f'));
  for (const auto& [k, v] : model) CHECK(get(reopened, k) == v);
  REQUIRE(reopened.erase("fill0").ok());
  REQUIRE(reopened.erase("fill1").ok());
  REQUIRE(reopened.erase("fill2").ok());
  CHECK(reopened.put("after", "full").ok());
}

TEST_CASE("kv::Store: a torn tail is ignored; garbage inside the log is reported and skipped") {
  static Disk disk;
  Ram device(disk.data(), 512, kBlocks);
  {
    kv::Store<Ram> s(device);
    REQUIRE(s.open().ok());
    for (int i = 0; i < 10; ++i) REQUIRE(s.put("key" + std::to_string(i), std::string(600, char('0' + i))).ok());
  }
  // Blocks 0-1 are the superblocks; half 0 starts at block 2 and its records are 2 blocks
  // each: key0 at half blocks 0-1 (disk 2-3), key1 at 2-3, … key9 at 18-19 (disk 20-21).
  std::byte* log = disk.data() + 2 * 512;
  // A torn tail: half of a record's first block after the last one.
  std::memset(log + 20 * 512, 0x5a, 200);
  {
    kv::Store<Ram> s(device);
    auto r = s.open();
    REQUIRE(r.ok());
    CHECK(r.value().keys == 10);
    CHECK(r.value().garbage_regions == 0);
    CHECK(r.value().torn_tail_blocks == 1);
    CHECK(r.value().tail == 20);
    REQUIRE(s.put("new", "after the tear").ok());  // written over the torn block
  }
  // Garbage over key3's record (half blocks 6-7) and inside key6's (its second block, 13).
  for (int i = 0; i < 1024; ++i) log[6 * 512 + i] = std::byte(static_cast<unsigned char>(i * 31 + 7));
  log[13 * 512 + 100] ^= std::byte{0xff};
  kv::Store<Ram> s(device);
  auto r = s.open();
  REQUIRE(r.ok());
  CHECK(r.value().garbage_regions == 2);
  CHECK(r.value().garbage_blocks == 4);  // 6, 7 and 12, 13 (key6's header still parses at 12)
  CHECK(r.value().first_garbage == 6);
  CHECK(r.value().keys == 9);
  CHECK(get(s, "key3") == "<absent>");
  CHECK(get(s, "key6") == "<absent>");
  CHECK(get(s, "key9") == std::string(600, '9'));
  CHECK(get(s, "new") == "after the tear");
  // A record damaged after open: that get is corrupt, the rest readable, and writes go on.
  log[18 * 512 + 300] ^= std::byte{1};
  char out[700];
  CHECK(s.get("key9", {out, sizeof out}).error() == Error::corrupt);
  CHECK(get(s, "key8") == std::string(600, '8'));
  REQUIRE(s.put("key3", "again").ok());
  CHECK(get(s, "key3") == "again");
}

TEST_CASE("kv::Store: a failing device is io_error, and the store stays readable") {
  static Disk disk;
  tessera::block::detail::PowerLossDevice<Ram> device;
  device.inner().attach(disk.data(), 512, kBlocks);
  kv::Store<tessera::block::detail::PowerLossDevice<Ram>> s(device);
  REQUIRE(s.open().ok());
  REQUIRE(s.put("kept", "value").ok());
  device.arm(1, 7);  // the next request fails, and all after it
  CHECK(s.put("lost", "value").error() == Error::io_error);
  char out[16];
  CHECK(s.get("kept", {out, sizeof out}).error() == Error::io_error);  // the device is gone …
  device.power_on();
  CHECK(get(s, "kept") == "value");  // … and back: the same object reads again
  kv::Store<tessera::block::detail::PowerLossDevice<Ram>> after(device);
  REQUIRE(after.open().ok());
  CHECK(get(after, "kept") == "value");
  CHECK(get(after, "lost") == "<absent>");  // not acknowledged, and not flushed
}
