// examples/httpd's request head parser (examples/httpd/http.hpp): complete and incomplete heads,
// keep-alive by version and Connection field, pipelined requests, and the bad input the server
// must refuse (malformed lines, a header flood, bodies), plus seeded random bytes that must
// never read outside the buffer (ASan) or be taken for a complete head by accident.

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "http.hpp"

namespace {
// The head in a heap block of exactly its size (no terminator after it: ASan sees any overread),
// kept until the next call: the request's views point into it.
httpd::Parse parse(const std::string& text, httpd::Request& request) {
  static std::unique_ptr<char[]> exact;
  exact.reset(new char[text.size() + (text.empty() ? 1 : 0)]);
  std::memcpy(exact.get(), text.data(), text.size());
  return httpd::parse(exact.get(), text.size(), request);
}
}  // namespace

TEST_CASE("a complete GET head, HTTP/1.1: keep-alive by default") {
  httpd::Request r;
  const std::string head = "GET /stats HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
  REQUIRE(parse(head, r) == httpd::Parse::ok);
  CHECK(r.method == "GET");
  CHECK(r.target == "/stats");
  CHECK(r.http11);
  CHECK(r.keep_alive);
  CHECK(r.head_bytes == head.size());
}

TEST_CASE("Connection: close, HTTP/1.0, and keep-alive asked for in HTTP/1.0") {
  httpd::Request r;
  REQUIRE(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", r) == httpd::Parse::ok);
  CHECK_FALSE(r.keep_alive);
  REQUIRE(parse("GET / HTTP/1.0\r\n\r\n", r) == httpd::Parse::ok);
  CHECK_FALSE(r.keep_alive);
  REQUIRE(parse("GET / HTTP/1.0\r\nconnection:  keep-alive \r\n\r\n", r) == httpd::Parse::ok);
  CHECK(r.keep_alive);
}

TEST_CASE("every prefix of a head is incomplete; the pipelined next request is left over") {
  httpd::Request r;
  const std::string one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", two = "GET /b HTTP/1.1\n\n";
  for (std::size_t n = 0; n < one.size(); ++n) CHECK(parse(one.substr(0, n), r) == httpd::Parse::incomplete);
  REQUIRE(parse(one + two, r) == httpd::Parse::ok);
  CHECK(r.target == "/a");
  CHECK(r.head_bytes == one.size());
  REQUIRE(parse((one + two).substr(r.head_bytes), r) == httpd::Parse::ok);  // bare LFs accepted
  CHECK(r.target == "/b");
}

TEST_CASE("malformed request lines and fields are bad requests") {
  httpd::Request r;
  for (const char* bad : {"GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                          "GET x HTTP/1.1\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
                          "GET / HTTP/1.1\r\n: empty name\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"})
    CHECK_MESSAGE(parse(bad, r) == httpd::Parse::bad_request, bad);
}

TEST_CASE("more than kMaxHeaderFields fields is a flood; exactly that many is fine") {
  httpd::Request r;
  std::string head = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i < httpd::kMaxHeaderFields; ++i) head += "X-" + std::to_string(i) + ": y\r\n";
  CHECK(parse(head + "\r\n", r) == httpd::Parse::ok);
  CHECK(parse(head + "X-last: y\r\n\r\n", r) == httpd::Parse::header_flood);
}

TEST_CASE("a body is refused; Content-Length: 0 is not a body") {
  httpd::Request r;
  CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", r) == httpd::Parse::has_body);
  CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", r) == httpd::Parse::has_body);
  CHECK(parse("GET / HTTP/1.1\r\nContent-Length: 000\r\n\r\n", r) == httpd::Parse::ok);
}

TEST_CASE("100,000 seeded random and mutated heads: no overread, and ok only for a real head") {
  std::mt19937 random(12);
  const std::string valid = "GET /index.html HTTP/1.1\r\nHost: tessera\r\nConnection: keep-alive\r\n\r\n";
  int complete = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::string text = valid;
    if (i % 2 == 0) {
      text.resize(random() % 200);
      for (auto& c : text) c = "GET /HTP1.\r\n: abc"[random() % 18];
    } else {
      for (int m = 0; m < 1 + static_cast<int>(random() % 4); ++m) text[random() % text.size()] = static_cast<char>(random());
      text.resize(random() % (text.size() + 1));
    }
    httpd::Request r;
    if (parse(text, r) == httpd::Parse::ok) {
      ++complete;
      CHECK(r.head_bytes <= text.size());
      CHECK(r.target.front() == '/');
    }
  }
  CHECK(complete > 0);  // the mutations leave some heads intact: the ok path ran too
}
