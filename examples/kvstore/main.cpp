// kvstore: a crash-safe key-value store on the BlockDevice API, no file system (store.hpp has
// the on-disk format and the recovery rules). Commands on the console, one per line:
//   put KEY VALUE     -> ok                     get KEY   -> value VALUE | not found
//   del KEY           -> ok | not found         scan [PREFIX] -> "= KEY VALUE" lines, end N
//   compact           -> ok                     stats     -> keys, blocks, generation …
//   fill PREFIX KEYS COUNT ITER -> COUNT puts over KEYS keys, "acked KEY ITER J" after each
//                        (its flush done), values made by make_value below (the crash test)
//   quit              -> the image exits with status 0
// Keys and values are words (no spaces). A put is answered "ok" only after its flush
// completed. Any error is "error: <reason>" and the store stays readable.
//
// qemu-virt-aarch64: block::VirtioBlk; raspi3: block::Bcm2835Emmc, the SD card; `./tessera run
// kvstore` attaches build/kvstore.img (made on first use) as the disk or the SD card. hosted:
// block::File on the file $TESSERA_DISK.

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <tessera/tessera.hpp>

#include "store.hpp"

#if defined(TESSERA_PLATFORM_HOSTED)
#include <tessera/block/file.hpp>
using Disk = tessera::block::File<>;
#elif defined(TESSERA_PLATFORM_RASPI3)
#include <tessera/block/bcm2835_emmc.hpp>
using Disk = tessera::block::Bcm2835Emmc<>;
#else
#include <tessera/block/virtio_blk.hpp>
using Disk = tessera::block::VirtioBlk<>;
#endif

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, Disk,
                            tessera::platform::Target>;
using Device = App::block_type;

namespace {

kv::Store<Device>* store;  // in static storage (main below): it is ~73 KiB

// The value `fill` writes for (key, iter, j): the test recomputes it from the value's own
// "key:iter:j:" prefix, so any value read back can be checked for corruption.
std::string make_value(std::string_view key, unsigned iter, unsigned j) {
  std::string v(key);
  v += ':' + std::to_string(iter) + ':' + std::to_string(j) + ':';
  const unsigned pad = 20 + (iter * 131 + j * 17) % 300;
  for (unsigned i = 0; i < pad; ++i) v += static_cast<char>('a' + (iter + j + i) % 26);
  return v;
}

void error(tessera::Error e) { std::printf("error: %s\n", tessera::to_string(e)); }

// The next word of `line` from `at` (spaces separate words).
std::string_view word(std::string_view line, std::size_t& at) {
  while (at < line.size() && line[at] == ' ') ++at;
  const std::size_t start = at;
  while (at < line.size() && line[at] != ' ') ++at;
  return line.substr(start, at - start);
}
unsigned number(std::string_view w) {
  unsigned n = 0;
  for (char c : w) n = c >= '0' && c <= '9' ? n * 10 + static_cast<unsigned>(c - '0') : n;
  return n;
}

// Runs one command; false for quit.
bool command(std::string_view line) {
  std::size_t at = 0;
  const auto verb = word(line, at);
  const auto a = word(line, at), b = word(line, at), c = word(line, at), d = word(line, at);
  if (verb.empty()) return true;
  if (verb == "quit") {
    std::printf("bye\n");
    return false;
  }
  if (verb == "put" && !a.empty()) {
    auto r = store->put(a, b);
    r ? (void)std::printf("ok\n") : error(r.error());
  } else if (verb == "get" && !a.empty()) {
    static char value[kv::kMaxValue + 1];
    auto r = store->get(a, {value, kv::kMaxValue});
    if (!r) error(r.error());
    else if (!r.value().found) std::printf("not found\n");
    else std::printf("value %.*s\n", static_cast<int>(r.value().length), value);
  } else if (verb == "del" && !a.empty()) {
    auto r = store->erase(a);
    if (!r) error(r.error());
    else std::printf(r.value() ? "ok\n" : "not found\n");
  } else if (verb == "scan") {
    auto n = store->scan(a, [](std::string_view k, std::string_view v) {
      std::printf("= %.*s %.*s\n", static_cast<int>(k.size()), k.data(), static_cast<int>(v.size()), v.data());
    });
    n ? (void)std::printf("end %zu\n", n.value()) : error(n.error());
  } else if (verb == "compact") {
    auto r = store->compact();
    r ? (void)std::printf("ok\n") : error(r.error());
  } else if (verb == "stats") {
    const auto s = store->stats();
    std::printf("keys %zu live_blocks %llu tail %llu half_blocks %llu generation %llu compactions %llu\n", s.keys,
                static_cast<unsigned long long>(s.live_blocks), static_cast<unsigned long long>(s.tail),
                static_cast<unsigned long long>(s.half_blocks), static_cast<unsigned long long>(s.generation),
                static_cast<unsigned long long>(s.compactions));
  } else if (verb == "fill" && !d.empty()) {
    const unsigned keys = number(b) == 0 ? 1 : number(b), count = number(c), iter = number(d);
    unsigned done = 0;
    for (unsigned j = 0; j < count; ++j) {
      const std::string key = std::string(a) + std::to_string(j % keys);
      auto r = store->put(key, make_value(key, iter, j));
      if (!r) {
        error(r.error());
        break;
      }
      std::printf("acked %s %u %u\n", key.c_str(), iter, j);
      ++done;
    }
    std::printf("filled %u\n", done);
  } else {
    std::printf("error: unknown command or missing argument (put, get, del, scan, compact, stats, fill, quit)\n");
  }
  return true;
}

int kvstore_main() {
  auto& disk = App::block();
  std::printf("kvstore: %s, %llu blocks of %zu bytes, queue depth %zu\n", Device::name,
              static_cast<unsigned long long>(disk.block_count()), disk.block_size(), disk.queue_depth());
  static kv::Store<Device> the_store(disk);
  store = &the_store;
  auto opened = store->open();
  if (!opened) {
    std::printf("kvstore: cannot open the store: %s\n", tessera::to_string(opened.error()));
    return 1;
  }
  const auto& r = opened.value();
  if (r.formatted) std::printf("kvstore: no store on this disk: formatted an empty one\n");
  std::printf("kvstore: recovered %zu keys from %zu records, generation %llu (half %u), log tail at block %llu\n",
              r.keys, r.records, static_cast<unsigned long long>(r.generation), r.half,
              static_cast<unsigned long long>(r.tail));
  if (r.garbage_regions != 0)
    std::printf("kvstore: garbage: %zu regions (%llu blocks, the first at block %llu) skipped\n", r.garbage_regions,
                static_cast<unsigned long long>(r.garbage_blocks), static_cast<unsigned long long>(r.first_garbage));
  if (r.torn_tail_blocks != 0)
    std::printf("kvstore: torn tail: %llu blocks after the last record ignored\n",
                static_cast<unsigned long long>(r.torn_tail_blocks));
  std::printf("kvstore: ready\n");

  // A line editor on the console (it polls: sched::None has nothing else to run).
  static char line[kv::kMaxValue + 300];
  std::size_t length = 0;
  for (;;) {
    auto c = App::platform::console::read();
    if (!c) continue;
    const char ch = c.value();
    if (ch == '\r' || ch == '\n') {
      std::printf("\n");
      if (!command({line, length})) return 0;
      length = 0;
    } else if ((ch == 0x7f || ch == 0x08) && length > 0) {
      --length;
      std::printf("\b \b");
    } else if (ch >= 0x20 && ch < 0x7f && length < sizeof line) {
      line[length++] = ch;
      std::putchar(ch);  // echo: a terminal in raw mode shows nothing itself
    }
    std::fflush(stdout);
  }
}

}  // namespace

TESSERA_MAIN(App, kvstore_main)
