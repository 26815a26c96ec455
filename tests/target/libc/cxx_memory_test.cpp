// Runs inside QEMU: <memory> on bare metal, and operator new/delete in every form going to the
// kernel's allocator. Smart pointers release what they own: the heap in use is back to its
// starting value. The nothrow forms return null when memory runs out; the new-handler is
// called before operator new gives up.

#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include <tessera/tessera.hpp>

#include "../check.hpp"

using App = tessera::Kernel<tessera::alloc::Tlsf<>, tessera::sched::None, tessera::net::None, tessera::block::None,
                            tessera::platform::QemuVirtAarch64>;

namespace {

std::size_t heap_in_use() { return App::alloc().stats().bytes_in_use; }

int destroyed = 0;

struct Tracked {
  int value;
  explicit Tracked(int v) : value(v) {}
  ~Tracked() { ++destroyed; }
};

struct alignas(256) OverAligned {
  unsigned char bytes[256];
};

void smart_pointers() {
  {
    auto one = std::make_unique<Tracked>(7);
    auto many = std::make_unique<int[]>(100);
    many[99] = 5;
    CHECK(one->value == 7 && many[99] == 5 && many[0] == 0);  // make_unique<T[]> value-initialises
    std::unique_ptr<Tracked> moved = std::move(one);
    CHECK(!one && moved->value == 7);
  }
  CHECK(destroyed == 1);
  std::weak_ptr<Tracked> watcher;
  {
    auto shared = std::make_shared<Tracked>(42);
    watcher = shared;
    auto copy = shared;
    CHECK(shared.use_count() == 2 && !watcher.expired() && watcher.lock()->value == 42);
    std::shared_ptr<Tracked> custom(new Tracked(9), [](Tracked* t) {
      t->value = -1;
      delete t;
    });
    CHECK(custom->value == 9);
  }
  CHECK(destroyed == 3 && watcher.expired() && watcher.lock() == nullptr);
  watcher.reset();  // the control block of make_shared goes with the last weak reference
  auto aliased = std::shared_ptr<int>(std::make_shared<std::vector<int>>(3, 1), nullptr);
  CHECK(aliased.use_count() == 1);
}

void new_and_delete() {
  auto* single = new Tracked(1);
  auto* array = new Tracked[3]{Tracked(1), Tracked(2), Tracked(3)};
  CHECK(array[2].value == 3);
  delete single;
  delete[] array;
  CHECK(destroyed == 3 + 4);
  auto* aligned = new OverAligned;  // operator new(size, align_val_t)
  CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 256 == 0);
  delete aligned;
  auto* aligned_array = new OverAligned[4];
  CHECK(reinterpret_cast<std::uintptr_t>(aligned_array) % 256 == 0);
  delete[] aligned_array;
  void* raw = ::operator new(100, std::align_val_t{64}, std::nothrow);
  CHECK(raw != nullptr && reinterpret_cast<std::uintptr_t>(raw) % 64 == 0);
  ::operator delete(raw, std::align_val_t{64}, std::nothrow);
  volatile std::size_t too_much = std::size_t{1} << 40;  // volatile: no compile-time size warning
  CHECK(::operator new(too_much, std::nothrow) == nullptr);
  CHECK(::operator new[](too_much, std::nothrow) == nullptr);
  CHECK(::operator new(too_much, std::align_val_t{4096}, std::nothrow) == nullptr);
}

// The new-handler frees a reserve, so operator new's second try succeeds.
void* reserve = nullptr;
int handler_calls = 0;

void release_reserve() {
  ++handler_calls;
  ::operator delete(reserve);
  reserve = nullptr;
  std::set_new_handler(nullptr);
}

void new_handler() {
  const std::size_t free_bytes = App::alloc().stats().bytes_free;
  reserve = ::operator new(free_bytes / 2 + 4096);
  std::vector<void*> filler;  // takes the rest, until a nothrow new fails
  filler.reserve(4096);
  while (filler.size() < filler.capacity()) {
    void* block = ::operator new(1u << 16, std::nothrow);
    if (block == nullptr) break;
    filler.push_back(block);
  }
  std::set_new_handler(release_reserve);
  void* big = ::operator new(free_bytes / 4);  // fails once, the handler frees the reserve, succeeds
  CHECK(handler_calls == 1 && big != nullptr && reserve == nullptr);
  ::operator delete(big);
  for (void* block : filler) ::operator delete(block);
}

int run() {
  const std::size_t before = heap_in_use();
  smart_pointers();
  CHECK(heap_in_use() == before);
  new_and_delete();
  CHECK(heap_in_use() == before);
  new_handler();
  CHECK(heap_in_use() == before);
  std::printf("%d failed\n", tessera::test::failures);
  return tessera::test::failures;
}

}  // namespace

TESSERA_MAIN(App, run)
