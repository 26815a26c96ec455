// kernel.hpp: binding recipes to the kernel, sibling calls through K, the slot types and the
// console entry points. Boot and exit end the process, so they are left to the integration
// tests.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include <tessera/tessera.hpp>

#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::Result;

// A recipe: the scheduler takes its stack from whatever allocator the kernel has, named only
// through K.
struct StackScheduler {
  template <class K>
  class bind : public tessera::sched::None {  // the rest of api::Scheduler: None's
   public:
    static constexpr const char* name = "test::StackScheduler";
    static constexpr std::size_t stack_bytes = 4096;

    Result<void> init() {
      auto stack = K::alloc().allocate(stack_bytes, 16);
      if (!stack) return tessera::fail(stack.error());
      stack_ = stack.value();
      return {};
    }
    void* stack() const { return stack_; }

   private:
    void* stack_ = nullptr;
  };
};

// A platform whose console records what the kernel writes and replays queued input.
struct RecordingPlatform {
  static constexpr const char* name = "test::RecordingPlatform";
  static inline std::string written;
  static inline std::string input;

  struct console {
    static void init() {}
    static void put(char c) { written += c; }
    static void write(const char* text, std::size_t length) { written.append(text, length); }
    static Result<char> read() {
      if (input.empty()) return tessera::fail(Error::would_block);
      const char c = input.front();
      input.erase(0, 1);
      return c;
    }
  };
  struct clock {
    static std::uint64_t now() { return 0; }
    static std::uint64_t frequency() { return 1; }
  };
  static void early_init() {}
  static tessera::MemoryRegion free_memory() { return {}; }
  static void run_constructors() {}
  [[noreturn]] static void exit(int) { __builtin_trap(); }
};

using tessera::alloc::Region;
using NoBlock = tessera::block::None;
using NoNet = tessera::net::None;
using NoSched = tessera::sched::None;

using HostedKernel = tessera::Kernel<Region<>, NoSched, NoNet, NoBlock, tessera::platform::Hosted>;
using RecipeKernel = tessera::Kernel<Region<>, StackScheduler, NoNet, NoBlock, RecordingPlatform>;
using SmallKernel = tessera::Kernel<Region<{.bytes = 64}>, StackScheduler, NoNet, NoBlock, RecordingPlatform>;

constexpr bool equal(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

}  // namespace

// bound_t: a recipe becomes its bind<K>; a plain component stays itself.
static_assert(std::is_same_v<tessera::bound_t<StackScheduler, RecipeKernel>, StackScheduler::bind<RecipeKernel>>);
static_assert(std::is_same_v<tessera::bound_t<Region<>, RecipeKernel>, Region<>>);
static_assert(std::is_same_v<tessera::bound_t<NoSched, RecipeKernel>, NoSched>);
static_assert(std::is_same_v<tessera::bound_t<RecordingPlatform, RecipeKernel>, RecordingPlatform>);
static_assert(std::is_same_v<RecipeKernel::scheduler_type, StackScheduler::bind<RecipeKernel>>);
static_assert(std::is_same_v<RecipeKernel::allocator_type, Region<>>);
static_assert(std::is_same_v<RecipeKernel::platform, RecordingPlatform>);
static_assert(tessera::api::Scheduler<RecipeKernel::scheduler_type>);

static_assert(HostedKernel::well_formed);
static_assert(RecipeKernel::well_formed);
static_assert(std::is_same_v<HostedKernel::platform, tessera::platform::Hosted>);
static_assert(equal(HostedKernel::component_names[0], "alloc::Region"));
static_assert(equal(HostedKernel::component_names[4], "platform::Hosted"));
static_assert(tessera::exit_status_fault == 70);

TEST_CASE("component_names lists the five components in slot order") {
  const char* const expected[5] = {"alloc::Region", "sched::None", "net::None", "block::None", "platform::Hosted"};
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(std::string(HostedKernel::component_names[i]) == expected[i]);
  }
  CHECK(std::string(RecipeKernel::component_names[1]) == "test::StackScheduler");
}

TEST_CASE("a recipe component calls its sibling allocator through K") {
  alignas(16) static std::byte ram[8192];
  REQUIRE(RecipeKernel::alloc().add_region({ram, ram + sizeof ram}).ok());
  REQUIRE(RecipeKernel::sched().init().ok());

  auto* stack = static_cast<std::byte*>(RecipeKernel::sched().stack());
  REQUIRE(stack != nullptr);
  CHECK(stack >= ram);
  CHECK(stack + StackScheduler::bind<RecipeKernel>::stack_bytes <= ram + sizeof ram);
  CHECK(reinterpret_cast<std::uintptr_t>(stack) % 16 == 0);
  CHECK(RecipeKernel::alloc().stats().bytes_in_use == 4096);
  std::memset(stack, 0, 4096);

  // The instances are the kernel's own: the same object on every call.
  CHECK(&RecipeKernel::alloc() == &RecipeKernel::alloc());
  CHECK(&RecipeKernel::sched() == &RecipeKernel::sched());
  CHECK(RecipeKernel::sched().run([] { return 7; }) == 7);
}

TEST_CASE("a sibling's error reaches the recipe") {
  alignas(16) static std::byte ram[8192];
  REQUIRE(SmallKernel::alloc().add_region({ram, ram + sizeof ram}).ok());  // capped at 64 bytes
  const auto result = SmallKernel::sched().init();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error() == Error::out_of_memory);
}

TEST_CASE("the console entry points reach the platform's console") {
  RecordingPlatform::written.clear();
  RecipeKernel::console_write("hello\n", 6);
  CHECK(RecordingPlatform::written == "hello\n");

  RecordingPlatform::input = "a\xff";
  CHECK(RecipeKernel::console_read() == 'a');
  CHECK(RecipeKernel::console_read() == 0xff);  // a byte, not a negative char
  CHECK(RecipeKernel::console_read() == -1);    // nothing waiting
}

TEST_CASE("the hosted kernel's plain components") {
  CHECK(HostedKernel::sched().init().ok());
  CHECK(HostedKernel::sched().run([] { return 3; }) == 3);
  tessera::sched::None::wait_queue nobody;
  CHECK(HostedKernel::sched().wake_all(nobody) == 0);  // nobody can wait with sched::None
  CHECK(HostedKernel::net().init().ok());
  CHECK_FALSE(tessera::net::None::present);
  CHECK(HostedKernel::block().init().ok());
  CHECK_FALSE(tessera::block::None::present);
  CHECK(HostedKernel::alloc().allocate(1, 1).error() == Error::out_of_memory);  // no region before boot
}
