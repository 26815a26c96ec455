// Runs inside QEMU: the header-only half of the standard library on bare metal: <atomic>,
// <functional>, <optional>, <variant>, <any>, <tuple>, <algorithm>, <numeric>, <bit>, <span>,
// <array>, <charconv>, and <chrono> with std::chrono::steady_clock on the platform's clock and
// system_clock on its real-time clock.

#include <algorithm>
#include <any>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <numeric>
#include <optional>
#include <span>
#include <tuple>
#include <variant>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirtAarch64>;

namespace {

void atomics() {
  std::atomic<int> counter{0};
  for (int i = 0; i < 100; ++i) counter.fetch_add(3, std::memory_order_relaxed);
  CHECK(counter.load() == 300);
  int expected = 300;
  CHECK(counter.compare_exchange_strong(expected, -1) && counter == -1);
  expected = 5;
  CHECK(!counter.compare_exchange_strong(expected, 0) && expected == -1);
  std::atomic<std::uint64_t> wide{~0ull};
  CHECK(wide.fetch_sub(1) == ~0ull && wide.exchange(7) == ~0ull - 1 && wide == 7);
  std::atomic_flag flag;
  CHECK(!flag.test_and_set() && flag.test_and_set());
  flag.clear();
  CHECK(!flag.test());
  std::atomic<int*> pointer{nullptr};
  int target = 0;
  pointer.store(&target, std::memory_order_release);
  CHECK(pointer.load(std::memory_order_acquire) == &target);
  CHECK(std::atomic<long>::is_always_lock_free && std::atomic<std::uint64_t>{}.is_lock_free());
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

int add(int a, int b) { return a + b; }

void functional() {
  int captured = 10;
  std::function<int(int)> plus_captured = [&captured](int x) { return x + captured; };
  CHECK(plus_captured(5) == 15);
  std::array<int, 64> big_capture{};  // too large for std::function's local buffer: on the heap
  big_capture[63] = 2;
  std::function<int()> from_heap = [big_capture] { return big_capture[63]; };
  CHECK(from_heap() == 2);
  auto bound = std::bind(add, std::placeholders::_1, 100);
  CHECK(bound(1) == 101 && std::invoke(add, 2, 3) == 5);
  std::function<int(int)> empty;
  CHECK(!empty && static_cast<bool>(plus_captured));
  CHECK(std::hash<int>{}(5) == std::hash<int>{}(5));
  std::array<int, 5> values{4, 1, 3, 5, 2};
  std::sort(values.begin(), values.end(), std::greater<>{});
  CHECK(values.front() == 5 && values.back() == 1);
}

void vocabulary() {
  std::optional<int> maybe;
  CHECK(!maybe && maybe.value_or(9) == 9);
  maybe = 4;
  CHECK(maybe && *maybe == 4);
  std::variant<int, double, const char*> choice = 2.5;
  CHECK(std::holds_alternative<double>(choice) && choice.index() == 1);
  choice = "text";
  const int kind = std::visit([](auto&& value) -> int { return sizeof(value) == sizeof(const char*) ? 3 : 0; }, choice);
  CHECK(kind == 3 && std::get_if<int>(&choice) == nullptr);
  std::any anything = 17;
  CHECK(anything.has_value() && std::any_cast<int>(&anything) != nullptr && *std::any_cast<int>(&anything) == 17);
  anything = std::array<int, 32>{};  // larger than std::any's local buffer: on the heap
  CHECK(std::any_cast<int>(&anything) == nullptr);
  auto [a, b, c] = std::make_tuple(1, 'x', 2.0);
  CHECK(a == 1 && b == 'x' && c == 2.0);
  auto tied = std::tuple_cat(std::tuple{1}, std::tuple{2, 3});
  CHECK(std::tuple_size_v<decltype(tied)> == 3 && std::get<2>(tied) == 3);
}

void numbers() {
  std::array<int, 10> values{};
  std::iota(values.begin(), values.end(), 1);
  CHECK(std::accumulate(values.begin(), values.end(), 0) == 55);
  CHECK(std::reduce(values.begin(), values.end(), 1, std::multiplies<>{}) == 3628800);
  CHECK(std::gcd(84, 36) == 12 && std::lcm(4, 6) == 12 && std::midpoint(10, 20) == 15);
  std::span<int> middle = std::span{values}.subspan(3, 4);
  CHECK(middle.size() == 4 && middle.front() == 4 && middle.back() == 7);
  CHECK(std::popcount(0xf0f0u) == 8 && std::countr_zero(64u) == 6 && std::bit_ceil(100u) == 128u);
  CHECK(std::bit_cast<std::uint32_t>(1.0f) == 0x3f800000u && std::rotl(0x80000001u, 1) == 3u);
  CHECK(std::ranges::is_sorted(values) && std::ranges::find(values, 7) - values.begin() == 6);
  char text[24];
  auto written = std::to_chars(text, text + sizeof text, -98765);
  CHECK(written.ec == std::errc{} && std::string_view(text, written.ptr) == "-98765");
  int parsed = 0;
  auto read = std::from_chars(text, written.ptr, parsed);
  CHECK(read.ec == std::errc{} && parsed == -98765);
}

void clocks() {
  using namespace std::chrono;
  const auto start = steady_clock::now();
  volatile std::uint64_t spin = 0;
  for (int i = 0; i < 200000; ++i) spin = spin + 1;
  const auto later = steady_clock::now();
  CHECK(later > start);  // the platform's counter advances
  const auto elapsed = duration_cast<microseconds>(later - start);
  CHECK(elapsed.count() > 0 && elapsed < seconds(10));
  CHECK(steady_clock::is_steady && duration_cast<milliseconds>(1500us).count() == 1);
  // system_clock follows the PL031 real-time clock, which QEMU sets from the host's clock.
  const auto now = floor<days>(system_clock::now());
  const year_month_day date{now};
  CHECK(date.year() >= year{2024} && date.year() < year{2200});
  CHECK(system_clock::now() >= system_clock::now() - 1s);
}

int run() {
  atomics();
  functional();
  vocabulary();
  numbers();
  clocks();
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
