// sync::Spinlock (include/tessera/sync/spinlock.hpp): lock/try_lock/unlock state, and mutual
// exclusion between real OS threads (the host's), which is what it is for across cores.

#include <doctest/doctest.h>
#include <pthread.h>

#include <tessera/sync/spinlock.hpp>

namespace {

tessera::sync::Spinlock lock;
long counter = 0;  // plain: only the lock orders the accesses

void* hammer(void*) {
  for (int i = 0; i < 200000; ++i) {
    tessera::sync::LockGuard guard(lock);
    counter = counter + 1;
  }
  return nullptr;
}

TEST_CASE("try_lock, locked and unlock") {
  tessera::sync::Spinlock s;
  CHECK_FALSE(s.locked());
  CHECK(s.try_lock());
  CHECK(s.locked());
  CHECK_FALSE(s.try_lock());
  s.unlock();
  CHECK_FALSE(s.locked());
}

TEST_CASE("four OS threads incrementing under the spinlock lose no update") {
  pthread_t threads[4];
  for (auto& t : threads) REQUIRE(pthread_create(&t, nullptr, hammer, nullptr) == 0);
  for (auto& t : threads) pthread_join(t, nullptr);
  CHECK(counter == 800000);
}

tessera::sync::IrqSpinlock irq_lock;
long irq_counter = 0;

void* hammer_irq(void*) {
  for (int i = 0; i < 100000; ++i) {
    tessera::sync::LockGuard guard(irq_lock);
    irq_counter = irq_counter + 1;
  }
  return nullptr;
}

TEST_CASE("IrqSpinlock (no interrupts on hosted: a Spinlock): try_lock, and four OS threads lose no update") {
  tessera::sync::IrqSpinlock s;
  CHECK(s.try_lock());
  CHECK_FALSE(s.try_lock());
  s.unlock();
  CHECK_FALSE(s.locked());
  pthread_t threads[4];
  for (auto& t : threads) REQUIRE(pthread_create(&t, nullptr, hammer_irq, nullptr) == 0);
  for (auto& t : threads) pthread_join(t, nullptr);
  CHECK(irq_counter == 400000);
}

}  // namespace
