// Runs inside QEMU: the standard containers and strings on bare metal, through the kernel's
// allocator (operator new → Kernel::alloc()). Each is filled, checked and destroyed; the heap
// in use is back to where it started.

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirtAarch64>;

namespace {

std::size_t heap_in_use() { return App::alloc().stats().bytes_in_use; }

void vectors() {
  std::vector<int> numbers;
  for (int i = 0; i < 1000; ++i) numbers.push_back((i * 7919) % 1000);  // a permutation of 0..999
  std::sort(numbers.begin(), numbers.end());
  bool in_order = true;
  for (int i = 0; i < 1000; ++i) in_order = in_order && numbers[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
  CHECK(numbers.size() == 1000 && numbers.capacity() >= 1000);
  numbers.erase(std::remove_if(numbers.begin(), numbers.end(), [](int n) { return n % 2 != 0; }), numbers.end());
  CHECK(numbers.size() == 500 && numbers.back() == 998);
  std::vector<int>(numbers).swap(numbers);  // shrink_to_fit is a no-op in libstdc++ without exceptions
  CHECK(numbers.capacity() == 500);
  std::vector<std::vector<int>> nested(10, std::vector<int>(10, 3));
  int sum = 0;
  for (const auto& row : nested)
    for (int n : row) sum += n;
  CHECK(sum == 300);
}

void strings() {
  std::string text = "tessera";
  text += ", a header-only C++20 kernel framework for unikernels";  // past the small-string buffer
  CHECK(text.size() == 60);
  CHECK(text.find("kernel") == 29 && text.substr(0, 7) == "tessera");
  CHECK(text.rfind('u') == 50);
  std::string_view view = text;
  CHECK(view.starts_with("tessera,") && view.ends_with("unikernels"));
  std::string number = std::to_string(-1234567);
  CHECK(number == "-1234567" && std::stoi(number) == -1234567);
  std::string upper(text.begin(), text.begin() + 7);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return static_cast<char>(c - 'a' + 'A'); });
  CHECK(upper == "TESSERA");
  std::vector<std::string> words{"delta", "alpha", "charlie", "bravo"};
  std::sort(words.begin(), words.end());
  CHECK(words.front() == "alpha" && words.back() == "delta");
  CHECK(std::string(3, 'x').compare("xxx") == 0);
}

void associative() {
  std::map<std::string, int> ordered;
  std::unordered_map<std::string, int> hashed;
  std::set<int> unique;
  std::unordered_set<int> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ordered[key] = i;
    hashed.emplace(key, i * 2);
    unique.insert(i % 37);
    seen.insert(i % 11);
  }
  CHECK(ordered.size() == 200 && hashed.size() == 200);
  CHECK(ordered.begin()->first == "key-0" && ordered.rbegin()->first == "key-99");  // string order
  CHECK(ordered.at("key-150") == 150 && hashed.at("key-150") == 300);
  CHECK(hashed.count("key-200") == 0 && !ordered.contains("nope"));
  CHECK(unique.size() == 37 && *unique.rbegin() == 36 && seen.size() == 11);
  ordered.erase("key-7");
  CHECK(ordered.size() == 199 && ordered.lower_bound("key-7")->first == "key-70");
  hashed.rehash(1024);
  CHECK(hashed.bucket_count() >= 1024 && hashed["key-42"] == 84);
}

void sequences() {
  std::deque<int> queue;
  for (int i = 0; i < 1000; ++i) (i % 2 == 0) ? queue.push_back(i) : queue.push_front(i);  // past one 512-byte block
  CHECK(queue.size() == 1000 && queue.front() == 999 && queue.back() == 998);
  std::list<int> items{5, 3, 9, 1};
  items.sort();
  items.push_front(0);
  items.remove(9);
  CHECK(items.size() == 4 && items.front() == 0 && items.back() == 5);
  std::list<std::string> names{"b", "a"};
  names.reverse();
  CHECK(names.front() == "a");
}

int run() {
  const std::size_t before = heap_in_use();
  vectors();
  CHECK(heap_in_use() == before);
  strings();
  CHECK(heap_in_use() == before);
  associative();
  CHECK(heap_in_use() == before);
  sequences();
  CHECK(heap_in_use() == before);
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
