// Fatal paths of the C and C++ runtime on bare metal, one per image (TESSERA_TEST_FATAL picks
// which; tests/integration/meson.build has the expected report and exit status of each). Every
// one must print what happened and stop with its own status: never hang, never go on.

#include <cassert>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <any>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::Target>;

// A virtual call from Base's constructor, through a pointer the compiler cannot see through:
// the object's vtable is still Base's, whose speak() slot is __cxa_pure_virtual. Outside the
// anonymous namespace: GCC would see every class derived from Base and call Derived::speak.
struct Base;
Base* volatile under_construction = nullptr;
[[gnu::noinline]] void speak_through_pointer();

struct Base {
  [[gnu::noinline]] Base() {
    under_construction = this;
    speak_through_pointer();
  }
  virtual void speak() = 0;
  virtual ~Base() = default;
};
struct Derived : Base {
  void speak() override { std::printf("Derived::speak\n"); }
};

void speak_through_pointer() { under_construction->speak(); }

namespace {

[[gnu::noinline]] void overflow_stack_buffer(const char* text, std::size_t length) {
  char buffer[16];
  std::memcpy(buffer, text, length);  // length 64: over the canary
  std::printf("buffer starts with %c\n", buffer[0]);
}

volatile int ten = 10;  // volatile: the compiler must not see the values below

int fatal_main() {
  const int which = TESSERA_TEST_FATAL;
  std::printf("fatal path %d\n", which);
  std::vector<int> three{1, 2, 3};
  switch (which) {
    case 1: {
      const int answer = ten * 4 + 2;
      assert(answer == 41);
      break;
    }
    case 2:
      std::abort();
    case 3:
      std::terminate();
    case 4: {
      Derived derived;
      derived.speak();
      break;
    }
    case 5:
      std::printf("element %d\n", three.at(static_cast<std::size_t>(ten)));
      break;
    case 6: {
      std::vector<std::vector<char>> hog;  // grows past the 64 MiB heap
      for (int i = 0; i < 1000; ++i) hog.emplace_back(std::size_t{1} << 20, 'x');
      std::printf("allocated %zu MiB\n", hog.size());
      break;
    }
    case 7: {
      std::variant<int, float> number = 1.5f;
      std::printf("int %d\n", std::get<int>(number));
      break;
    }
    case 8: {
      std::optional<int> nothing;
      if (ten == 10) nothing.reset();
      std::printf("value %d\n", nothing.value());
      break;
    }
    case 9:
      three.reserve(three.max_size() + static_cast<std::size_t>(ten));
      break;
    case 10: {
      char text[64];
      std::memset(text, 'A', sizeof text);
      overflow_stack_buffer(text, static_cast<std::size_t>(ten) * 6 + 4);
      break;
    }
    case 11: {
      int big = INT_MAX - 5;
      big += ten;  // signed overflow: undefined
      std::printf("big %d\n", big);
      break;
    }
    case 12: {
      std::function<int()> empty;
      std::printf("called %d\n", empty());
      break;
    }
    case 13: {
      std::weak_ptr<int> watcher;
      {
        auto owner = std::make_shared<int>(ten);
        watcher = owner;
      }
      std::shared_ptr<int> revived(watcher);  // expired
      std::printf("revived %d\n", *revived);
      break;
    }
    case 14:
      std::printf("parsed %d\n", std::stoi(ten == 10 ? "ten" : "10"));
      break;
    case 15: {  // libstdc++'s <any> calls __builtin_abort() itself: reported as abort()
      std::any anything = ten;
      std::printf("as double %f\n", std::any_cast<double>(anything));
      break;
    }
  }
  std::printf("survived fatal path %d\n", which);
  return 0;
}

}  // namespace

TESSERA_MAIN(App, fatal_main)
