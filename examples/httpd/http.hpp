#pragma once
// The HTTP/1.1 request head parser of examples/httpd (RFC 9112 §2–§3, §9.3): a request line and
// header fields up to the empty line. Plain functions, no kernel, no sockets: the hosted unit
// test (tests/unit/net/http_request_test.cpp) feeds it directly. Limits are the caller's buffer
// (an oversize head never completes) and kMaxHeaderFields (a flood of fields is refused).

#include <cstddef>
#include <cstring>
#include <string_view>

namespace httpd {

inline constexpr std::size_t kMaxHeaderFields = 32;

enum class Parse {
  incomplete,    // no empty line yet: read more (if the buffer has room)
  ok,            // a complete head; `Request` filled, `head_bytes` long
  bad_request,   // malformed request line or field
  header_flood,  // more than kMaxHeaderFields fields
  has_body,      // Content-Length > 0 or a Transfer-Encoding: this server takes no bodies
};

struct Request {
  std::string_view method, target;
  bool http11 = false;      // HTTP/1.1 (keep-alive by default) rather than HTTP/1.0
  bool keep_alive = false;  // after Connection: close / keep-alive and the version's default
  std::size_t head_bytes = 0;
};

namespace detail {
inline bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
// A token character (RFC 9110 §5.6.2), for methods and field names.
inline bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
inline bool token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == '\0' || !token_char(c)) return false;
  return true;
}
}  // namespace detail

// Parses the head at the start of data[0, size). Lines end in CRLF (a bare LF is accepted, as
// §2.2 allows).
inline Parse parse(const char* data, std::size_t size, Request& request) {
  using detail::trim;
  const std::string_view all(data, size);
  std::size_t line_start = 0, fields = 0;
  bool first = true, close = false, keep = false;
  for (;;) {
    const std::size_t lf = all.find('\n', line_start);
    if (lf == std::string_view::npos) return Parse::incomplete;
    std::string_view line = all.substr(line_start, lf - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line_start = lf + 1;
    if (first) {
      first = false;
      const std::size_t sp1 = line.find(' ');
      const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return Parse::bad_request;
      request.method = line.substr(0, sp1);
      request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      const std::string_view version = line.substr(sp2 + 1);
      if (!detail::token(request.method) || request.target.empty() || request.target.front() != '/')
        return Parse::bad_request;
      if (version == "HTTP/1.1")
        request.http11 = true;
      else if (version == "HTTP/1.0")
        request.http11 = false;
      else
        return Parse::bad_request;
      continue;
    }
    if (line.empty()) break;  // the end of the head
    if (++fields > kMaxHeaderFields) return Parse::header_flood;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !detail::token(line.substr(0, colon))) return Parse::bad_request;
    const std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (detail::equal_ignoring_case(name, "connection")) {
      if (detail::equal_ignoring_case(value, "close")) close = true;
      if (detail::equal_ignoring_case(value, "keep-alive")) keep = true;
    } else if (detail::equal_ignoring_case(name, "content-length")) {
      if (value.empty()) return Parse::bad_request;
      for (char c : value)
        if (c < '0' || c > '9') return Parse::bad_request;
      if (value.find_first_not_of('0') != std::string_view::npos) return Parse::has_body;
    } else if (detail::equal_ignoring_case(name, "transfer-encoding")) {
      return Parse::has_body;
    }
  }
  request.keep_alive = !close && (request.http11 || keep);
  request.head_bytes = line_start;
  return Parse::ok;
}

}  // namespace httpd
