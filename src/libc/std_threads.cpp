// The compiled part of libstdc++'s thread layer, on tessera's threads. Debian's libstdc++.a
// defines these in thread.o and condition_variable.o, built against glibc: they call
// pthread_create, pthread_join, nanosleep and pthread_cond_*, whose objects (glibc's) a
// bare-metal image does not have, and carry exception landing pads. Defining them here keeps
// those objects out of every image (as cxx_no_exceptions.cpp does for functexcept.o):
//   - std::thread: each thread is one of the kernel's, spawned detached in the scheduler's
//     sense; joining is a futex on a small record the thread and its std::thread share
//     (whoever of the two lets go last frees it), so detach() needs nothing of the scheduler;
//   - std::this_thread::sleep_for: the scheduler's sleep_for;
//   - std::condition_variable's out-of-line members: the futex condition variable of
//     tessera/detail/std_threads.hpp, as the header-only members use it;
//   - syscall(SYS_futex, …), which libstdc++'s atomic wait/notify call: tessera's futex.
// The kernel-bound calls (tessera_thread_spawn, tessera_futex_wait …) are defined by
// TESSERA_MAIN for the application's kernel (include/tessera/detail/std_thread_binding.hpp).
// Not available: std::notify_all_at_thread_exit and thread-specific data (see
// bits/gthr-default.h).

#include <errno.h>

#include <condition_variable>
#include <cstdarg>
#include <ctime>
#include <thread>

#include "report.hpp"
#include "tessera/exit_status.hpp"

namespace {

using namespace tessera::detail::stdthreads;

// What a std::thread and its thread share: the thread's id, whether it has finished (a futex
// word the joiner waits on) and how many of the two still hold the record.
struct Record {
  std::thread::_State* state;
  unsigned long id;
  int finished;
  int holders;
  Record* next;
};

// The records of threads not yet joined or detached, to find one by its std::thread's id.
Mutex records_lock = {0, 0};
Record* records = nullptr;

void release(Record* r) {
  if (__atomic_sub_fetch(&r->holders, 1, __ATOMIC_ACQ_REL) == 0) delete r;
}

// Removes the record of thread `id` from the list (nullptr: no such thread).
Record* take_record(unsigned long id) {
  mutex_lock(&records_lock);
  Record* found = nullptr;
  for (Record** p = &records; *p; p = &(*p)->next)
    if ((*p)->id == id) {
      found = *p;
      *p = found->next;
      break;
    }
  mutex_unlock(&records_lock);
  return found;
}

// The first function of every std::thread's thread.
void run(void* argument) {
  auto* record = static_cast<Record*>(argument);
  record->state->_M_run();
  delete record->state;
  __atomic_store_n(&record->finished, 1, __ATOMIC_RELEASE);
  tessera_futex_wake(&record->finished, 0x7fffffff);
  release(record);
}

}  // namespace

namespace std {
_GLIBCXX_BEGIN_NAMESPACE_VERSION

thread::_State::~_State() = default;

void thread::_M_start_thread(_State_ptr state, void (*)()) {
  auto* record = new Record{state.release(), 0, 0, 2, nullptr};
  // In the list before the thread can run (a preemptive scheduler may run it at once).
  mutex_lock(&records_lock);
  const int failed = tessera_thread_spawn(&run, record, &record->id);
  if (!failed) {
    record->next = records;
    records = record;
  }
  mutex_unlock(&records_lock);
  if (failed) {
    delete record->state;
    delete record;
    __throw_system_error(failed);
  }
  _M_id = id(record->id);
}

void thread::join() {
  int error = EINVAL;
  if (_M_id == id()) __throw_system_error(error);
  if (_M_id._M_thread == tessera_thread_self()) __throw_system_error(EDEADLK);
  Record* record = take_record(_M_id._M_thread);
  if (!record) __throw_system_error(error);
  while (!__atomic_load_n(&record->finished, __ATOMIC_ACQUIRE)) tessera_futex_wait(&record->finished, 0, no_deadline);
  release(record);
  _M_id = id();
}

void thread::detach() {
  Record* record = _M_id == id() ? nullptr : take_record(_M_id._M_thread);
  if (!record) __throw_system_error(EINVAL);
  release(record);
  _M_id = id();
}

unsigned int thread::hardware_concurrency() noexcept { return 1; }  // the threads of one core

namespace this_thread {
void __sleep_for(chrono::seconds s, chrono::nanoseconds ns) {
  if (s.count() < 0 || (s.count() == 0 && ns.count() <= 0)) return;
  tessera_thread_sleep_ns(static_cast<unsigned long long>(s.count()) * 1'000'000'000u +
                          static_cast<unsigned long long>(ns.count()));
}
}  // namespace this_thread

condition_variable::condition_variable() noexcept = default;
condition_variable::~condition_variable() noexcept = default;
void condition_variable::wait(unique_lock<mutex>& lock) { _M_cond.wait(*lock.mutex()); }
void condition_variable::notify_one() noexcept { _M_cond.notify_one(); }
void condition_variable::notify_all() noexcept { _M_cond.notify_all(); }

_GLIBCXX_END_NAMESPACE_VERSION
}  // namespace std

// A std::mutex locked twice by its holder, or unlocked by another thread (without NDEBUG).
extern "C" [[noreturn]] void tessera_std_misuse(const char* what) {
  tessera::report::begin(what);
  tessera::report::text(" (thread ");
  tessera::report::text(tessera_thread_name());
  tessera::report::text(")\n");
  tessera::report::stop(tessera::exit_status_fault, tessera::report::frame_here());
}

// A wait with a scheduler that runs one thread (sched::None): nothing could ever end it.
extern "C" [[noreturn]] void tessera_std_wait_forever(const char* scheduler) {
  tessera::report::begin("all threads blocked: a std:: wait (atomic wait, mutex or condition variable) with ");
  tessera::report::text(scheduler);
  tessera::report::text(", which runs one thread: nothing could ever change what it waits for; use "
                        "tessera::sched::Cooperative<> (Kconfig: SCHED_COOPERATIVE)\n");
  tessera::report::stop(tessera::exit_status_fault, tessera::report::frame_here());
}

// The Linux futex operations libstdc++'s atomic wait/notify use (linux/futex.h numbers; the
// "private" flag, 128, changes nothing here): FUTEX_WAIT (0, relative timeout), FUTEX_WAKE
// (1), FUTEX_WAIT_BITSET (9, absolute timeout on CLOCK_MONOTONIC, i.e. steady_clock) and
// FUTEX_WAKE_BITSET (10), with the match-any bitset. A wait that found the value changed
// returns 0, not -1 with EAGAIN: errno is one variable for all threads (picolibc's TLS block
// is shared), and every caller checks the value again anyway.
extern "C" long syscall(long number, ...) {
  if (number != SYS_futex) {
    errno = ENOSYS;
    return -1;
  }
  va_list arguments;
  va_start(arguments, number);
  const int* word = va_arg(arguments, const int*);
  const int operation = va_arg(arguments, int) & 127;
  const int value = va_arg(arguments, int);
  const timespec* timeout = va_arg(arguments, const timespec*);
  va_end(arguments);
  long long deadline = no_deadline;
  switch (operation) {
    case 0:   // FUTEX_WAIT
    case 9:   // FUTEX_WAIT_BITSET
      if (timeout) {
        deadline = timeout->tv_sec * 1'000'000'000ll + timeout->tv_nsec;
        if (operation == 0) deadline += tessera_clock_ns(0);
      }
      if (tessera_futex_wait(word, value, deadline) == ETIMEDOUT) {
        errno = ETIMEDOUT;
        return -1;
      }
      return 0;
    case 1:   // FUTEX_WAKE
    case 10:  // FUTEX_WAKE_BITSET
      return tessera_futex_wake(word, value);
    default:
      errno = ENOSYS;
      return -1;
  }
}
