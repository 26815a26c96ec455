#pragma once
// kvstore's line protocol, shared by the console and the TCP interface (main.cpp): a bounded
// line buffer and the command interpreter, which writes its replies to any Sink (a class with
// `void write(const char*, std::size_t)`): the console's stdout or a connection's socket.
//   put KEY VALUE     -> ok                     get KEY   -> value VALUE | not found
//   del KEY           -> ok | not found         scan [PREFIX] -> "= KEY VALUE" lines, end N
//   compact           -> ok                     stats     -> keys, blocks, generation …
//   fill PREFIX KEYS COUNT ITER -> COUNT puts over KEYS keys, "acked KEY ITER J" after each
//                        (its flush done), values made by make_value below (the crash test)
//   quit              -> bye (the console: the image exits with status 0; TCP: the
//                        connection closes)
// Keys and values are words (no spaces). A put is answered "ok" only after its flush
// completed. Any error is "error: <reason>" and the store stays readable. A line longer than
// kMaxLine is answered "error: line too long" (once, at its end) and ignored; a line with a
// control character is "error: malformed line (control character)".

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "store.hpp"

namespace kv {

// The longest line: "put", a key, a value and the spaces between them, with room to spare.
inline constexpr std::size_t kMaxLine = kMaxKey + kMaxValue + 64;

// Collects one line at a time, at most kMaxLine bytes; the rest of a longer line is dropped
// and the line reported as too long when its end comes.
class LineBuffer {
 public:
  enum class Event { none, line, too_long };

  // Takes one byte; at a '\n' the line is complete (line(), without "\r\n") or too long.
  Event add(char c) {
    if (c == '\n') {
      const bool was_long = too_long_;
      too_long_ = false;
      if (was_long) {
        length_ = 0;
        return Event::too_long;
      }
      done_ = length_;
      if (done_ > 0 && line_[done_ - 1] == '\r') --done_;
      length_ = 0;
      return Event::line;
    }
    if (length_ == sizeof line_) {
      too_long_ = true;
      return Event::none;
    }
    line_[length_++] = c;
    return Event::none;
  }
  // The console's line editor: removes the last byte (false when there is none).
  bool erase_last() {
    if (length_ == 0) return false;
    --length_;
    return true;
  }
  // The line add() just completed.
  std::string_view line() const { return {line_, done_}; }

 private:
  char line_[kMaxLine];
  std::size_t length_ = 0, done_ = 0;
  bool too_long_ = false;
};

// Replies collected in a buffer and written to Sink when it fills and at the end of a command:
// one write per reply, not per line.
template <class Sink>
class Reply {
 public:
  explicit Reply(Sink& sink) : sink_(sink) {}
  ~Reply() { flush(); }
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  template <class... Args>
  void print(const char* format, Args... args) {
    int n = std::snprintf(buffer_ + used_, sizeof buffer_ - used_, format, args...);
    if (n < 0) return;
    if (static_cast<std::size_t>(n) >= sizeof buffer_ - used_) {  // did not fit: send what is there first
      flush();
      n = std::snprintf(buffer_, sizeof buffer_, format, args...);
      if (n < 0) return;
      if (static_cast<std::size_t>(n) >= sizeof buffer_) n = sizeof buffer_ - 1;  // longer than any reply
    }
    used_ += static_cast<std::size_t>(n);
  }
  void flush() {
    if (used_ != 0) sink_.write(buffer_, used_);
    used_ = 0;
  }

 private:
  Sink& sink_;
  std::size_t used_ = 0;
  char buffer_[kMaxKey + kMaxValue + 64];  // the longest line: "= KEY VALUE"
};

// The value `fill` writes for (key, iter, j): the test recomputes it from the value's own
// "key:iter:j:" prefix, so any value read back can be checked for corruption.
inline std::string make_value(std::string_view key, unsigned iter, unsigned j) {
  std::string v(key);
  v += ':' + std::to_string(iter) + ':' + std::to_string(j) + ':';
  const unsigned pad = 20 + (iter * 131 + j * 17) % 300;
  for (unsigned i = 0; i < pad; ++i) v += static_cast<char>('a' + (iter + j + i) % 26);
  return v;
}

namespace detail {
// The next word of `line` from `at` (spaces separate words).
inline std::string_view word(std::string_view line, std::size_t& at) {
  while (at < line.size() && line[at] == ' ') ++at;
  const std::size_t start = at;
  while (at < line.size() && line[at] != ' ') ++at;
  return line.substr(start, at - start);
}
inline unsigned number(std::string_view w) {
  unsigned n = 0;
  for (char c : w) n = c >= '0' && c <= '9' ? n * 10 + static_cast<unsigned>(c - '0') : n;
  return n;
}
inline int length(std::string_view s) { return static_cast<int>(s.size()); }
}  // namespace detail

enum class Outcome { more, quit };

// Runs one command line on `store`, replies to `sink`.
template <class Store, class Sink>
Outcome command(Store& store, std::string_view line, Sink& sink) {
  Reply<Sink> out(sink);
  const auto error = [&out](tessera::Error e) { out.print("error: %s\n", tessera::to_string(e)); };
  for (const char c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out.print("error: malformed line (control character)\n");
      return Outcome::more;
    }
  }
  std::size_t at = 0;
  using detail::word, detail::length;
  const auto verb = word(line, at);
  const auto a = word(line, at), b = word(line, at), c = word(line, at), d = word(line, at);
  if (verb.empty()) return Outcome::more;
  if (verb == "quit") {
    out.print("bye\n");
    return Outcome::quit;
  }
  if (verb == "put" && !a.empty()) {
    auto r = store.put(a, b);
    r ? out.print("ok\n") : error(r.error());
  } else if (verb == "get" && !a.empty()) {
    static char value[kMaxValue + 1];  // callers take turns (the console alone, or under main.cpp's lock)
    auto r = store.get(a, {value, kMaxValue});
    if (!r) error(r.error());
    else if (!r.value().found) out.print("not found\n");
    else out.print("value %.*s\n", static_cast<int>(r.value().length), value);
  } else if (verb == "del" && !a.empty()) {
    auto r = store.erase(a);
    if (!r) error(r.error());
    else out.print(r.value() ? "ok\n" : "not found\n");
  } else if (verb == "scan") {
    auto n = store.scan(a, [&out](std::string_view k, std::string_view v) {
      out.print("= %.*s %.*s\n", length(k), k.data(), length(v), v.data());
    });
    n ? out.print("end %zu\n", n.value()) : error(n.error());
  } else if (verb == "compact") {
    auto r = store.compact();
    r ? out.print("ok\n") : error(r.error());
  } else if (verb == "stats") {
    const auto s = store.stats();
    out.print("keys %zu live_blocks %llu tail %llu half_blocks %llu generation %llu compactions %llu\n", s.keys,
              static_cast<unsigned long long>(s.live_blocks), static_cast<unsigned long long>(s.tail),
              static_cast<unsigned long long>(s.half_blocks), static_cast<unsigned long long>(s.generation),
              static_cast<unsigned long long>(s.compactions));
  } else if (verb == "fill" && !d.empty()) {
    const unsigned keys = detail::number(b) == 0 ? 1 : detail::number(b), count = detail::number(c),
                   iter = detail::number(d);
    unsigned done = 0;
    for (unsigned j = 0; j < count; ++j) {
      const std::string key = std::string(a) + std::to_string(j % keys);
      auto r = store.put(key, make_value(key, iter, j));
      if (!r) {
        error(r.error());
        break;
      }
      out.print("acked %s %u %u\n", key.c_str(), iter, j);
      out.flush();  // each acknowledgement leaves now: the crash test kills between them
      ++done;
    }
    out.print("filled %u\n", done);
  } else {
    out.print("error: unknown command or missing argument (put, get, del, scan, compact, stats, fill, quit)\n");
  }
  return Outcome::more;
}

}  // namespace kv
