// The operations on strain/sync/pthread.hpp's RawMutex and RawCond
// (runtime/raw_sync.hpp). Compiled into strain_runtime, which every plugin
// links: none of this is a hot path (each call enters pthreads anyway), so
// it need not be inline in the headers.

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "runtime/abi_types.hpp"
#include "runtime/raw_sync.hpp"

namespace strain::detail {
namespace {

[[noreturn]] void throw_pthread_error(int rc, const char* what) {
  throw std::system_error(rc, std::generic_category(), what);
}

// This thread's context if a strategy owns the schedule (then a primitive
// must not block in the kernel), else null.
Context* controlling_context() noexcept {
  if (!points_enabled.load(std::memory_order_relaxed)) return nullptr;
  Context* c = tls_context;
  return c != nullptr && context_data(*c).hooks != nullptr ? c : nullptr;
}

// Tells the scheduler that `object` changed, so the threads blocked on it
// may proceed; nothing unless a strategy owns the schedule.
void wake_blocked(const void* object, bool all) noexcept {
  if (Context* c = controlling_context()) context_data(*c).hooks->wake(*c, object, all);
}

// A lock's result: on EOWNERDEAD the mutex is repaired for the next user and
// given back: the caller gets an exception, not the lock, so no guard would
// unlock it.
void acquired(RawMutex& m, int rc, const char* what) {
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(&m.m);
    pthread_mutex_unlock(&m.m);
    throw OwnerDied();
  }
  if (rc != 0) throw_pthread_error(rc, what);
}

// A condvar wait's result. A wait always returns holding the mutex: OwnerDied
// is thrown with the mutex consistent and still held, so the caller's guard
// releases it.
void relocked(RawMutex& m, int rc, const char* what) {
  if (rc == 0) return;
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(&m.m);
    throw OwnerDied();
  }
  throw_pthread_error(rc, what);
}

// After a wait handed to the scheduler, which must return holding the mutex.
// Once the trial was aborted the threads run freely again, so the kernel may
// block.
void relock(RawMutex& m, Context& c) {
  while (!raw_try_lock(m))
    if (context_data(c).hooks->block(c, &m, "mutex.lock", false) == WaitResult::aborted)
      return acquired(m, pthread_mutex_lock(&m.m), "pthread_mutex_lock");
}

// Releases `m`, parks on `cv`, and relocks `m`; false on a timeout.
bool park(RawCond& cv, Context& c, RawMutex& m, const char* label, bool timed) {
  raw_unlock(m);
  const WaitResult r = context_data(c).hooks->block(c, &cv, label, timed);
  relock(m, c);
  if (r == WaitResult::aborted) throw ScheduleAborted();
  return r == WaitResult::woken;
}

}  // namespace

RawMutex::RawMutex() {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  const int rc = pthread_mutex_init(&m, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) throw_pthread_error(rc, "pthread_mutex_init");
}

RawMutex::~RawMutex() { pthread_mutex_destroy(&m); }

// Under a strategy that owns the schedule it never blocks in the kernel:
// while the mutex is held it parks in the scheduler (as `label`), which runs
// the other roles.
void raw_lock(RawMutex& m, const char* label) {
  if (Context* c = controlling_context()) {
    while (!raw_try_lock(m))
      if (context_data(*c).hooks->block(*c, &m, label, false) == WaitResult::aborted)
        throw ScheduleAborted();
    return;
  }
  acquired(m, pthread_mutex_lock(&m.m), "pthread_mutex_lock");
}

bool raw_try_lock(RawMutex& m) {
  const int rc = pthread_mutex_trylock(&m.m);
  if (rc == EBUSY) return false;
  acquired(m, rc, "pthread_mutex_trylock");
  return true;
}

void raw_unlock(RawMutex& m) noexcept {
  pthread_mutex_unlock(&m.m);
  wake_blocked(&m, true);
}

RawCond::RawCond() {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  const int rc = pthread_cond_init(&c, &attr);
  pthread_condattr_destroy(&attr);
  if (rc != 0) throw_pthread_error(rc, "pthread_cond_init");
}

// Under a strategy that owns the schedule the thread parks in the scheduler
// (as `label`) instead; no other role runs between the unlock and the park,
// so no notification is lost.
void raw_wait(RawCond& cv, RawMutex& m, const char* label) {
  if (Context* c = controlling_context()) {
    (void)park(cv, *c, m, label, false);
    return;
  }
  relocked(m, pthread_cond_wait(&cv.c, &m.m), "pthread_cond_wait");
}

// Under a strategy that owns the schedule the deadline is not looked at.
bool raw_wait_until(RawCond& cv, RawMutex& m, const timespec& deadline, const char* label) {
  if (Context* c = controlling_context()) return park(cv, *c, m, label, true);
  const int rc = pthread_cond_timedwait(&cv.c, &m.m, &deadline);
  if (rc == ETIMEDOUT) return false;
  relocked(m, rc, "pthread_cond_timedwait");
  return true;
}

void raw_signal(RawCond& cv) noexcept {
  pthread_cond_signal(&cv.c);
  wake_blocked(&cv, false);
}

void raw_broadcast(RawCond& cv) noexcept {
  pthread_cond_broadcast(&cv.c);
  wake_blocked(&cv, true);
}

timespec deadline_after_seconds(double seconds) noexcept {
  // Clamped to a century so that duration::max() cannot overflow tv_sec.
  constexpr std::int64_t kMaxNs = std::int64_t{100} * 365 * 24 * 3600 * 1'000'000'000;
  std::int64_t ns = 0;
  if (seconds * 1e9 >= static_cast<double>(kMaxNs)) {
    ns = kMaxNs;
  } else if (seconds > 0) {
    ns = static_cast<std::int64_t>(std::ceil(seconds * 1e9));
  }
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
  t.tv_nsec += static_cast<long>(ns % 1'000'000'000);
  if (t.tv_nsec >= 1'000'000'000) {
    t.tv_nsec -= 1'000'000'000;
    ++t.tv_sec;
  }
  return t;
}

}  // namespace strain::detail
