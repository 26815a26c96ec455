#pragma once
// kv::Store<Device> — a log-structured key-value store straight on a tessera BlockDevice (no
// file system). put/get/erase/scan-by-prefix; a put or erase returns success only after the
// flush that follows its record has completed, so an acknowledged write survives power loss.
//
// On disk: blocks 0 and 1 are two copies of the superblock (magic, sequence number, live
// half, its generation, the next unused generation, CRC-32C), written alternately so that a
// torn write leaves the other; the one that checks with the higher sequence number counts.
// The rest is two halves; the live one holds a log of records, each on a block boundary:
//   u32 magic "TKVR", u32 CRC-32C of everything after it, u64 generation, u8 type (put,
//   erase), u8 0, u16 key length, u32 value length, key, value; padded to whole blocks.
// Recovery (open()) reads the live half from the front and replays the records of its
// generation: a block that does not start a record that checks (magic, generation, lengths,
// CRC) is skipped; skipped blocks before the last good record are reported as garbage, those
// after it are the torn tail of an interrupted write and are ignored. New records go after
// the last good one. Compaction first reserves a fresh generation in the superblock (flushed),
// copies the live records into the other half under it, flushes, then writes and flushes the
// superblock that makes that half live: until then the old half stays live, so a crash at any
// point leaves one complete log, and a retried compaction never meets records of a failed one
// under its own generation (each attempt has its own).
//
// Memory: an index (std::map from key to the record's place), an 8 KiB I/O buffer and a 64 KiB
// read-ahead window for recovery, inside the object (≈ 73 KiB: give it static storage, not a
// thread's stack); values are read from the device on get.
// TESSERA_KV_UNSAFE_SKIP_FLUSH (test builds only) acknowledges writes without the flush, to
// show that the power-loss test catches it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <span>
#include <string_view>

#include <tessera/api/block_device.hpp>
#include <tessera/block/request.hpp>

namespace kv {

using tessera::Error;
using tessera::Result;
using tessera::fail;

inline constexpr std::size_t kMaxKey = 255;
inline constexpr std::size_t kMaxValue = 4000;
inline constexpr std::size_t kRecordHeader = 24;
inline constexpr std::size_t kMaxRecordBytes = 8192;  // header + key + value, rounded up to blocks
inline constexpr std::uint32_t kRecordMagic = 0x5256'4b54;  // "TKVR"
inline constexpr std::uint32_t kSuperMagic = 0x5356'4b54;   // "TKVS"
inline constexpr std::uint8_t kPut = 1, kErase = 2;

namespace detail {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the table made at compile time.
struct Crc32cTable {
  std::uint32_t entry[256];
  constexpr Crc32cTable() : entry{} {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F6'3B78u : c >> 1;
      entry[i] = c;
    }
  }
};
inline constexpr Crc32cTable kCrcTable{};
inline std::uint32_t crc32c(const std::byte* data, std::size_t size, std::uint32_t crc = 0) {
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = kCrcTable.entry[(crc ^ static_cast<std::uint8_t>(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
void store(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

// A record's fields, as read from its first block.
struct RecordHeader {
  std::uint32_t crc;
  std::uint64_t generation;
  std::uint8_t type;
  std::uint16_t key_length;
  std::uint32_t value_length;
  std::size_t bytes() const { return kRecordHeader + key_length + value_length; }
};
inline bool parse_header(const std::byte* p, RecordHeader& h) {
  if (load<std::uint32_t>(p) != kRecordMagic) return false;
  h.crc = load<std::uint32_t>(p + 4);
  h.generation = load<std::uint64_t>(p + 8);
  h.type = static_cast<std::uint8_t>(p[16]);
  h.key_length = load<std::uint16_t>(p + 18);
  h.value_length = load<std::uint32_t>(p + 20);
  return (h.type == kPut || h.type == kErase) && p[17] == std::byte{0} && h.key_length >= 1 &&
         h.key_length <= kMaxKey && h.value_length <= kMaxValue && (h.type == kPut || h.value_length == 0);
}
// Writes a record into `p` (kMaxRecordBytes); returns its size in bytes.
inline std::size_t encode(std::byte* p, std::uint64_t generation, std::uint8_t type, std::string_view key,
                          std::string_view value) {
  store<std::uint32_t>(p, kRecordMagic);
  store<std::uint64_t>(p + 8, generation);
  p[16] = std::byte{type};
  p[17] = std::byte{0};
  store<std::uint16_t>(p + 18, static_cast<std::uint16_t>(key.size()));
  store<std::uint32_t>(p + 20, static_cast<std::uint32_t>(value.size()));
  std::memcpy(p + kRecordHeader, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + kRecordHeader + key.size(), value.data(), value.size());
  const std::size_t bytes = kRecordHeader + key.size() + value.size();
  store<std::uint32_t>(p + 4, crc32c(p + 8, bytes - 8));
  return bytes;
}
inline bool record_checks(const std::byte* p, const RecordHeader& h) { return crc32c(p + 8, h.bytes() - 8) == h.crc; }

}  // namespace detail

// What open() found.
struct RecoveryReport {
  std::uint64_t generation = 0;
  unsigned half = 0;
  bool formatted = false;             // no valid header: a new, empty store was written
  std::size_t records = 0;            // good records replayed
  std::size_t keys = 0;
  std::uint64_t tail = 0;             // block where the next record goes
  std::size_t garbage_regions = 0;    // runs of bad blocks before the last good record (skipped)
  std::uint64_t garbage_blocks = 0;
  std::uint64_t first_garbage = 0;    // first bad block of the first such run
  std::uint64_t torn_tail_blocks = 0; // non-empty bad blocks after the last good record (ignored)
};

struct Found {
  bool found = false;
  std::size_t length = 0;  // the value's length (also when it did not fit in the caller's buffer)
};

struct Stats {
  std::size_t keys = 0;
  std::uint64_t live_blocks = 0, tail = 0, half_blocks = 0, generation = 0, compactions = 0;
};

template <tessera::api::BlockDevice Device>
class Store {
 public:
  explicit Store(Device& device) : device_(device) {}

  // Recovers the store from the device (or formats an empty one): replays the live log.
  Result<RecoveryReport> open() {
    report_ = {};
    index_.clear();
    block_ = device_.block_size();
    if (block_ == 0 || block_ > kMaxRecordBytes / 2 || kMaxRecordBytes % block_ != 0) return fail(Error::not_supported);
    half_blocks_ = device_.block_count() < 2 ? 0 : (device_.block_count() - 2) / 2;
    if (half_blocks_ < 2 + kMaxRecordBytes / block_) return fail(Error::no_space);
    Super best{};
    for (unsigned slot = 0; slot < 2; ++slot) {
      if (auto r = read_blocks(slot, 1); !r) return fail(r.error());
      if (Super s{}; parse_super(s) && s.sequence > best.sequence) best = s;
    }
    if (best.sequence == 0) {  // no superblock: a new store, half 0, generation 1
      sequence_ = 0;
      if (auto r = write_super(0, 1, 2); !r) return fail(r.error());
      report_.formatted = true;
      half_ = 0;
      generation_ = 1;
      tail_ = 0;
    } else {
      sequence_ = best.sequence;
      half_ = best.half;
      generation_ = best.generation;
      next_generation_ = best.next_generation;
      if (auto r = replay(); !r) return fail(r.error());
    }
    report_.generation = generation_;
    report_.half = half_;
    report_.keys = index_.size();
    report_.tail = tail_;
    return report_;
  }

  Result<void> put(std::string_view key, std::string_view value) {
    if (key.empty() || key.size() > kMaxKey || value.size() > kMaxValue) return fail(Error::invalid_argument);
    return append(kPut, key, value);
  }

  // Erases `key`; Found.found says whether it was there (an absent key writes nothing).
  Result<bool> erase(std::string_view key) {
    if (key.empty() || key.size() > kMaxKey) return fail(Error::invalid_argument);
    if (index_.find(std::string(key)) == index_.end()) return false;
    if (auto r = append(kErase, key, {}); !r) return fail(r.error());
    return true;
  }

  // Copies the value of `key` into `out` (as much as fits). corrupt: its record no longer
  // checks (the disk changed under us); the other keys stay readable.
  Result<Found> get(std::string_view key, std::span<char> out) {
    auto at = index_.find(std::string(key));
    if (at == index_.end()) return Found{};
    return read_value(at->second, out);
  }

  // Calls visit(key, value) for every key starting with `prefix`, in key order; stops at the
  // first read error and returns it. Returns how many were visited.
  template <class Visit>
  Result<std::size_t> scan(std::string_view prefix, Visit&& visit) {
    static char value[kMaxValue];
    std::size_t n = 0;
    for (auto at = index_.lower_bound(std::string(prefix)); at != index_.end(); ++at) {
      if (at->first.compare(0, prefix.size(), prefix) != 0) break;
      auto found = read_value(at->second, {value, sizeof value});
      if (!found) return fail(found.error());
      visit(std::string_view(at->first), std::string_view(value, found.value().length));
      ++n;
    }
    return n;
  }

  // Copies the live records into the other half (generation + 1) and makes it the live one.
  Result<void> compact() {
    const unsigned target = 1 - half_;
    // Reserve the generation first: durable before any record carries it.
    const std::uint64_t next_generation = next_generation_;
    if (auto r = write_super(half_, generation_, next_generation + 1); !r) return r;
    std::uint64_t at = 0;
    std::map<std::string, Location> moved;
    for (const auto& [key, place] : index_) {
      if (auto r = read_blocks(half_start(half_) + place.block, place.blocks); !r) return r;
      detail::RecordHeader h{};
      if (!detail::parse_header(io_, h) || !detail::record_checks(io_, h)) return fail(Error::corrupt);
      // Same record, new generation: a stale copy from an older compaction never replays.
      detail::store<std::uint64_t>(io_ + 8, next_generation);
      detail::store<std::uint32_t>(io_ + 4, detail::crc32c(io_ + 8, h.bytes() - 8));
      if (auto r = write_blocks(half_start(target) + at, place.blocks); !r) return r;
      moved[key] = Location{at, place.blocks, place.value_length};
      at += place.blocks;
    }
    // The records first, then the superblock that makes them live: each durable before the next.
    if (auto r = flush(); !r) return r;
    if (auto r = write_super(target, next_generation, next_generation + 1); !r) return r;
    index_.swap(moved);
    half_ = target;
    generation_ = next_generation;
    tail_ = at;
    ++compactions_;
    return {};
  }

  Stats stats() const {
    std::uint64_t live = 0;
    for (const auto& [key, place] : index_) live += place.blocks;
    return Stats{index_.size(), live, tail_, half_blocks_, generation_, compactions_};
  }

 private:
  struct Location {
    std::uint64_t block;  // from the start of the half
    std::uint32_t blocks;
    std::uint32_t value_length;
  };

  std::uint64_t half_start(unsigned h) const { return 2 + h * half_blocks_; }
  std::uint32_t blocks_for(std::size_t bytes) const { return static_cast<std::uint32_t>((bytes + block_ - 1) / block_); }

  Result<void> read_blocks(std::uint64_t block, std::uint32_t count) {
    return tessera::block::read(device_, block, {io_, std::size_t{count} * block_});
  }
  Result<void> write_blocks(std::uint64_t block, std::uint32_t count) {
    return tessera::block::write(device_, block, {io_, std::size_t{count} * block_});
  }
  Result<void> flush() { return tessera::block::flush(device_); }

  // The superblock: u32 magic, u32 format version, u64 sequence, u64 generation of the live
  // half, u64 next unused generation, u32 live half, u32 CRC-32C of the 36 bytes before it.
  struct Super {
    std::uint64_t sequence = 0, generation = 0, next_generation = 0;
    unsigned half = 0;
  };
  bool parse_super(Super& s) const {
    if (detail::load<std::uint32_t>(io_) != kSuperMagic || detail::load<std::uint32_t>(io_ + 4) != 1) return false;
    if (detail::load<std::uint32_t>(io_ + 36) != detail::crc32c(io_, 36)) return false;
    s.sequence = detail::load<std::uint64_t>(io_ + 8);
    s.generation = detail::load<std::uint64_t>(io_ + 16);
    s.next_generation = detail::load<std::uint64_t>(io_ + 24);
    s.half = detail::load<std::uint32_t>(io_ + 32);
    return s.half <= 1 && s.generation >= 1 && s.next_generation > s.generation;
  }
  // Writes the next superblock (into the slot the previous one is not in) and flushes it.
  Result<void> write_super(unsigned half, std::uint64_t generation, std::uint64_t next_generation) {
    const std::uint64_t sequence = sequence_ + 1;
    std::memset(io_, 0, block_);
    detail::store<std::uint32_t>(io_, kSuperMagic);
    detail::store<std::uint32_t>(io_ + 4, 1);  // format version
    detail::store<std::uint64_t>(io_ + 8, sequence);
    detail::store<std::uint64_t>(io_ + 16, generation);
    detail::store<std::uint64_t>(io_ + 24, next_generation);
    detail::store<std::uint32_t>(io_ + 32, half);
    detail::store<std::uint32_t>(io_ + 36, detail::crc32c(io_, 36));
    // Until this one is known durable, the other slot holds the last good superblock: a
    // retry after a failure writes this slot again, never that one.
    if (auto r = write_blocks(sequence % 2, 1); !r) return r;
    if (auto r = flush(); !r) return r;
    sequence_ = sequence;
    next_generation_ = next_generation;
    return {};
  }

  Result<void> append(std::uint8_t type, std::string_view key, std::string_view value) {
    const std::uint32_t blocks = blocks_for(kRecordHeader + key.size() + value.size());
    if (tail_ + blocks > half_blocks_) {
      if (type == kErase) {
        // No room for a tombstone: compact without the key instead (a full store can always
        // erase). Durable when compact() returns.
        auto at = index_.find(std::string(key));
        const Location place = at->second;
        index_.erase(at);
        if (auto r = compact(); !r) {
          index_[std::string(key)] = place;
          return r;
        }
        return {};
      }
      if (stats().live_blocks + blocks > half_blocks_) return fail(Error::no_space);
      if (auto r = compact(); !r) return r;
    }
    std::memset(io_, 0, std::size_t{blocks} * block_);
    detail::encode(io_, generation_, type, key, value);
    const std::uint64_t at = tail_;
    if (auto r = write_blocks(half_start(half_) + at, blocks); !r) return r;
    tail_ = at + blocks;  // written, maybe not durable: never written over in this generation
#if !defined(TESSERA_KV_UNSAFE_SKIP_FLUSH)
    if (auto r = flush(); !r) return r;  // the acknowledgement waits for this
#endif
    if (type == kPut)
      index_[std::string(key)] = Location{at, blocks, static_cast<std::uint32_t>(value.size())};
    else
      index_.erase(std::string(key));
    return {};
  }

  Result<Found> read_value(const Location& place, std::span<char> out) {
    if (auto r = read_blocks(half_start(half_) + place.block, place.blocks); !r) return fail(r.error());
    detail::RecordHeader h{};
    if (!detail::parse_header(io_, h) || h.type != kPut || h.generation != generation_ || !detail::record_checks(io_, h))
      return fail(Error::corrupt);
    const std::size_t n = h.value_length < out.size() ? h.value_length : out.size();
    std::memcpy(out.data(), io_ + kRecordHeader + h.key_length, n);
    return Found{true, h.value_length};
  }

  // The blocks [b, b + count) of the live half, from a read-ahead window of kScanBytes.
  Result<const std::byte*> scan_blocks(std::uint64_t b, std::uint32_t count) {
    if (b < window_start_ || b + count > window_start_ + window_count_) {
      const std::uint64_t left = half_blocks_ - b;
      const std::uint64_t most = kScanBytes / block_;
      window_count_ = static_cast<std::uint32_t>(left < most ? left : most);
      window_start_ = b;
      if (auto r = tessera::block::read(device_, half_start(half_) + b, {scan_, std::size_t{window_count_} * block_}); !r) {
        window_count_ = 0;
        return fail(r.error());
      }
    }
    return static_cast<const std::byte*>(scan_ + (b - window_start_) * block_);
  }

  // Reads the live half from its first block and applies every good record.
  Result<void> replay() {
    window_start_ = window_count_ = 0;
    std::uint64_t b = 0, last_good_end = 0;
    std::uint64_t bad_start = 0, bad_blocks = 0;  // the current run of bad, non-empty blocks
    bool in_bad = false;
    std::uint64_t pending_regions = 0, pending_blocks = 0, pending_first = 0;  // runs since the last good record
    auto end_bad_run = [&] {
      if (!in_bad) return;
      if (pending_regions++ == 0) pending_first = bad_start;
      pending_blocks += bad_blocks;
      in_bad = false;
    };
    while (b < half_blocks_) {
      auto first = scan_blocks(b, 1);
      if (!first) return fail(first.error());
      const std::byte* p = first.value();
      detail::RecordHeader h{};
      bool good = detail::parse_header(p, h) && h.generation == generation_ && b + blocks_for(h.bytes()) <= half_blocks_;
      if (good) {
        auto whole = scan_blocks(b, blocks_for(h.bytes()));
        if (!whole) return fail(whole.error());
        p = whole.value();
        good = detail::record_checks(p, h);
      }
      if (good) {
        end_bad_run();  // bad blocks followed by a good record: garbage inside the log
        if (pending_regions != 0 && report_.garbage_regions == 0) report_.first_garbage = pending_first;
        report_.garbage_regions += pending_regions;
        report_.garbage_blocks += pending_blocks;
        pending_regions = pending_blocks = 0;
        const std::string key(reinterpret_cast<const char*>(p + kRecordHeader), h.key_length);
        const std::uint32_t blocks = blocks_for(h.bytes());
        if (h.type == kPut)
          index_[key] = Location{b, blocks, h.value_length};
        else
          index_.erase(key);
        ++report_.records;
        b += blocks;
        last_good_end = b;
        continue;
      }
      // Skip one block. Blocks of zeros (never written) are not garbage, but end a bad run.
      bool empty = true;
      for (std::size_t i = 0; i < block_ && empty; ++i) empty = p[i] == std::byte{0};
      if (!empty && !in_bad) {
        in_bad = true;
        bad_start = b;
        bad_blocks = 0;
      }
      if (!empty) ++bad_blocks;
      if (empty) end_bad_run();
      ++b;
    }
    end_bad_run();
    report_.torn_tail_blocks = pending_blocks;  // after the last good record: ignored
    tail_ = last_good_end;
    return {};
  }

  Device& device_;
  static constexpr std::size_t kScanBytes = 64 * 1024;
  alignas(tessera::api::kBlockBufferAlignment) std::byte io_[kMaxRecordBytes];
  alignas(tessera::api::kBlockBufferAlignment) std::byte scan_[kScanBytes];
  std::uint64_t window_start_ = 0;
  std::uint32_t window_count_ = 0;
  std::map<std::string, Location> index_;
  RecoveryReport report_;
  std::size_t block_ = 0;
  std::uint64_t half_blocks_ = 0, tail_ = 0, generation_ = 0, next_generation_ = 0, sequence_ = 0, compactions_ = 0;
  unsigned half_ = 0;
};

}  // namespace kv
