// The crash test's power-loss form (meson suite `crash`), hosted, under ASan: kv::Store
// (examples/kvstore/store.hpp) on block::PowerLoss over a RAM disk that persists across
// iterations. Each iteration arms a seeded crash point, runs random puts, erases, gets and
// compactions until power fails (the cache since the last flush: any subset kept, one block
// torn), recovers a store on what reached the disk and checks every key against a model of
// the acknowledged state: an acknowledged write must be there, the one operation that was
// cut off may or may not be, and nothing else may appear. Then garbage is written over parts
// of the log: recovery reports and skips it, never crashes, and the store takes writes again.
//
//   power_loss_test [--iterations N] [--seed S] [--json PATH] [--expect-loss]
//
// Prints one JSON object (also to PATH). Exit 0 when no acknowledged write was lost and no
// value was wrong; with --expect-loss (the build without flush before acknowledge) exit 0 only
// if the test did catch lost acknowledged writes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tessera/block/power_loss.hpp>
#include <tessera/block/ramdisk.hpp>

#include "store.hpp"

namespace {

using Ram = tessera::block::detail::RamdiskCore;
using Device = tessera::block::detail::PowerLossDevice<Ram>;
using Store = kv::Store<Device>;

constexpr std::uint64_t kBlocks = 1024;  // two halves of 512 blocks: compaction every ~150 puts
constexpr int kKeys = 24;

struct Rng {
  std::uint64_t state;
  std::uint64_t next() { return tessera::block::detail::VolatileCache::next(state); }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

std::string key_name(std::uint64_t k) { return "key" + std::to_string(k); }
std::string value_for(std::uint64_t iteration, int op, std::size_t length) {
  std::string v = std::to_string(iteration) + "." + std::to_string(op) + ":";
  while (v.size() < length) v += static_cast<char>('a' + (v.size() * 7 + iteration + op) % 26);
  return v;
}

// Whether `v` is exactly what value_for wrote (its "iteration.op:" prefix says which call).
bool well_formed(const std::string& v) {
  const auto dot = v.find('.'), colon = v.find(':');
  if (dot == std::string::npos || colon == std::string::npos || dot > colon) return false;
  const std::uint64_t iteration = std::strtoull(v.c_str(), nullptr, 10);
  const int op = std::atoi(v.c_str() + dot + 1);
  return value_for(iteration, op, v.size()) == v;
}

std::optional<std::string> read_key(Store& s, const std::string& key, bool* error) {
  static char out[kv::kMaxValue];
  auto r = s.get(key, {out, sizeof out});
  if (!r) {
    *error = true;
    return std::nullopt;
  }
  if (!r.value().found) return std::nullopt;
  return std::string(out, r.value().length);
}

struct Totals {
  std::uint64_t iterations = 0, crashes = 0, acked_puts = 0, acked_erases = 0, lost = 0, wrong = 0,
                unexpected = 0, recover_failures = 0, dropped_writes = 0, torn_blocks = 0, compactions = 0,
                garbage_runs = 0, torn_tails = 0, garbage_iterations = 0, garbage_reported = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t iterations = 1000, seed = 1;
  const char* json = nullptr;
  bool expect_loss = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!std::strcmp(argv[i], "--expect-loss")) expect_loss = true;
    else {
      std::fprintf(stderr, "usage: %s [--iterations N] [--seed S] [--json PATH] [--expect-loss]\n", argv[0]);
      return 2;
    }
  }
  static std::vector<std::byte> storage(kBlocks * 512 + 16);
  std::byte* disk = storage.data() + (16 - reinterpret_cast<std::uintptr_t>(storage.data()) % 16) % 16;
  static Device device;
  device.inner().attach(disk, 512, kBlocks);
  static std::optional<Store> store;

  std::map<std::string, std::string> model;  // the acknowledged state
  Totals t;
  int reported = 0;
  auto problem = [&](const char* what, std::uint64_t iteration, const std::string& key, const std::string& detail) {
    if (reported++ < 10)
      std::fprintf(stderr, "iteration %llu: %s: %s %s\n", static_cast<unsigned long long>(iteration), what, key.c_str(),
                   detail.c_str());
  };

  for (std::uint64_t i = 0; i < iterations; ++i) {
    Rng rng{seed * 0x1000'0000'01b3u + i};
    device.power_on();
    device.arm(1 + rng.below(250), rng.next());
    store.emplace(device);
    // The operation power failed under: its key and the value it would have left.
    std::optional<std::string> cut_key, cut_value;
    bool opened = store->open().ok();
    for (int op = 0; opened && op < 400; ++op) {
      const std::uint64_t choice = rng.below(100);
      const std::string key = key_name(rng.below(kKeys));
      if (choice < 65) {
        const std::string value = value_for(i, op, rng.below(1500));
        if (store->put(key, value)) {
          model[key] = value;
          ++t.acked_puts;
          continue;
        }
        cut_key = key, cut_value = value;
      } else if (choice < 80) {
        auto erased = store->erase(key);
        if (erased) {
          if (erased.value() != (model.count(key) == 1)) problem("erase disagrees with the model", i, key, "");
          model.erase(key);
          ++t.acked_erases;
          continue;
        }
        cut_key = key;  // cut_value empty: erased
      } else if (choice < 82) {
        if (store->compact()) continue;
      } else {
        bool error = false;
        auto got = read_key(*store, key, &error);
        if (!error) {
          auto want = model.find(key);
          if (want == model.end() ? got.has_value() : got != want->second) {
            ++t.wrong;
            problem("get before the crash disagrees with the model", i, key, "");
          }
          continue;
        }
      }
      break;  // an error: only a crash may cause one
    }
    if (!device.crashed()) {
      if (opened && !cut_key) {  // 400 operations before the crash point: cut power now
        device.crash();
      } else {
        ++t.wrong;
        problem("an operation failed without a crash", i, cut_key.value_or("(open)"), "");
        device.crash();
      }
    }
    ++t.crashes;
    t.dropped_writes += device.last_crash().dropped;
    t.torn_blocks += device.last_crash().torn;
    t.compactions += store->stats().compactions;

    // Power back: recover and compare with the model.
    device.power_on();
    store.emplace(device);
    auto recovered = store->open();
    if (!recovered) {
      ++t.recover_failures;
      problem("recovery failed", i, "", tessera::to_string(recovered.error()));
      continue;
    }
    t.garbage_runs += recovered.value().garbage_regions;
    t.torn_tails += recovered.value().torn_tail_blocks != 0;
    std::map<std::string, std::string> found;
    auto scanned = store->scan("", [&](std::string_view k, std::string_view v) { found[std::string(k)] = std::string(v); });
    if (!scanned) {
      ++t.recover_failures;
      problem("scan after recovery failed", i, "", tessera::to_string(scanned.error()));
      continue;
    }
    for (const auto& [key, value] : model) {
      auto got = found.find(key);
      const bool cut = cut_key && *cut_key == key;
      if (got == found.end()) {
        if (cut && cut_value->empty()) continue;  // the erase that was cut off happened
        ++t.lost;
        problem("acknowledged write lost", i, key, "");
      } else if (got->second != value && !(cut && got->second == *cut_value)) {
        ++t.wrong;
        problem("wrong value", i, key, got->second.substr(0, 20));
      }
    }
    for (const auto& [key, value] : found) {
      if (model.count(key)) continue;
      if (cut_key && *cut_key == key && !cut_value->empty() && value == *cut_value) continue;  // the cut put happened
      ++t.unexpected;
      problem("a key that was never acknowledged", i, key, value.substr(0, 20));
    }
    model = found;  // what survived is the state from here on (the cut operation settled)
    ++t.iterations;
  }

  // Garbage over parts of the log: reported, skipped, never a crash; writable afterwards.
  device.power_on();
  std::vector<std::byte> saved(disk, disk + kBlocks * 512);
  for (std::uint64_t g = 0; g < 200; ++g) {
    Rng rng{seed * 7919 + g};
    std::memcpy(disk, saved.data(), saved.size());
    const int regions = 1 + static_cast<int>(rng.below(3));
    for (int r = 0; r < regions; ++r) {
      // Over the log (the halves), not the superblocks: see store.hpp. A key whose newest
      // record is hit may come back older or not at all; none may come back corrupt.
      const std::uint64_t at = 2 + rng.below(kBlocks - 2), length = 1 + rng.below(8);
      for (std::uint64_t b = at; b < at + length && b < kBlocks; ++b)
        for (std::size_t k = 0; k < 512; ++k) disk[b * 512 + k] = std::byte(static_cast<unsigned char>(rng.next()));
    }
    store.emplace(device);
    auto opened = store->open();
    if (!opened) {  // only a store whose both headers are destroyed can fail: then it formats
      ++t.wrong;
      problem("open over garbage failed", g, "", tessera::to_string(opened.error()));
      continue;
    }
    t.garbage_reported += opened.value().garbage_regions != 0;
    bool error = false;
    for (int k = 0; k < kKeys; ++k) {
      auto got = read_key(*store, key_name(k), &error);
      if (got && !error && !well_formed(*got)) {
        ++t.wrong;
        problem("corrupt value over garbage", g, key_name(k), got->substr(0, 20));
      }
      error = false;
    }
    if (!store->put("after-garbage", "ok") || read_key(*store, "after-garbage", &error) != std::string("ok")) {
      ++t.wrong;
      problem("not writable after garbage", g, "", "");
    }
    ++t.garbage_iterations;
  }

  char text[1024];
  std::snprintf(text, sizeof text,
                "{\"power_loss_iterations\": %llu, \"acknowledged_writes_lost\": %llu, \"wrong_values\": %llu, "
                "\"unexpected_keys\": %llu, \"recovery_failures\": %llu, \"acknowledged_puts\": %llu, "
                "\"acknowledged_erases\": %llu, \"writes_dropped_by_power_loss\": %llu, \"torn_blocks\": %llu, "
                "\"compactions\": %llu, \"garbage_regions_skipped\": %llu, \"torn_tails_ignored\": %llu, "
                "\"garbage_iterations\": %llu, \"garbage_iterations_reported\": %llu, \"flush_before_ack\": %s, "
                "\"seed\": %llu}\n",
                (unsigned long long)t.iterations, (unsigned long long)t.lost, (unsigned long long)t.wrong,
                (unsigned long long)t.unexpected, (unsigned long long)t.recover_failures,
                (unsigned long long)t.acked_puts, (unsigned long long)t.acked_erases,
                (unsigned long long)t.dropped_writes, (unsigned long long)t.torn_blocks,
                (unsigned long long)t.compactions, (unsigned long long)t.garbage_runs, (unsigned long long)t.torn_tails,
                (unsigned long long)t.garbage_iterations, (unsigned long long)t.garbage_reported,
#if defined(TESSERA_KV_UNSAFE_SKIP_FLUSH)
                "false",
#else
                "true",
#endif
                (unsigned long long)seed);
  std::fputs(text, stdout);
  if (json) {
    if (FILE* f = std::fopen(json, "w")) {
      std::fputs(text, f);
      std::fclose(f);
    }
  }
  const bool clean = t.lost == 0 && t.wrong == 0 && t.unexpected == 0 && t.recover_failures == 0 && t.iterations == iterations;
  if (expect_loss) {
    if (t.lost > 0) {
      std::printf("ok: without flush before acknowledge, the test caught %llu lost acknowledged writes\n",
                  (unsigned long long)t.lost);
      return 0;
    }
    std::printf("FAILED: the store skipped its flush before acknowledging, and the test did not notice\n");
    return 1;
  }
  if (!clean) std::printf("FAILED: %llu acknowledged writes lost, %llu wrong values, %llu unexpected keys\n",
                          (unsigned long long)t.lost, (unsigned long long)t.wrong, (unsigned long long)t.unexpected);
  return clean ? 0 : 1;
}
