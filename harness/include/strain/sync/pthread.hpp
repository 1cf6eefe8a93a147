#pragma once
// The layer under the public primitives: the schedule point, a robust
// process-shared pthread mutex and a process-shared CLOCK_MONOTONIC condition
// variable. The raw types take no schedule points, so a primitive built on
// them (Semaphore, Barrier, Queue) passes exactly its own labelled point.
// Under a strategy that owns the schedule (`controlled`) they never block in
// the kernel: a lock that is held, or a wait, parks the thread in the
// scheduler, and unlock and notify tell it whom to make runnable again.

#include <pthread.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <system_error>

#include "strain/context.hpp"
#include "strain/schedule.hpp"

namespace strain {

//! Thrown by a lock or wait that found the previous owner of its mutex dead (a
//! role that exited or was killed inside the critical section). The mutex is
//! consistent again and stays usable; the data it guards may be half-updated.
class OwnerDied : public std::runtime_error {
 public:
  OwnerDied()
      : std::runtime_error("a role died holding the mutex; its state may be inconsistent") {}
};

namespace detail {

//! A schedule point for the code on this thread: `label` names the
//! operation, `object` is what it works on. Until some role of this process
//! runs under a strategy with points, it costs one relaxed load and a branch.
inline void sync_point(const char* label, const void* object = nullptr,
                       Access kind = Access::sync) noexcept {
  if (!points_enabled.load(std::memory_order_relaxed)) [[likely]]
    return;
  Context* c = tls_context;
  if (c != nullptr && c->d_.point_fn != nullptr) c->d_.point_fn(*c, label, object, kind);
}

//! This thread's context if a strategy owns the schedule (then a primitive
//! must not block in the kernel), else null.
inline Context* controlling_context() noexcept {
  if (!points_enabled.load(std::memory_order_relaxed)) return nullptr;
  Context* c = tls_context;
  return c != nullptr && c->d_.hooks != nullptr ? c : nullptr;
}

//! Tells the scheduler that `object` changed, so the threads blocked on it
//! may proceed; nothing unless a strategy owns the schedule.
inline void wake_blocked(const void* object, bool all) noexcept {
  if (Context* c = controlling_context()) c->d_.hooks->wake(*c, object, all);
}

[[noreturn]] inline void throw_pthread_error(int rc, const char* what) {
  throw std::system_error(rc, std::generic_category(), what);
}

//! A robust, process-shared pthread mutex without schedule points.
class RawMutex {
 public:
  RawMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    const int rc = pthread_mutex_init(&m_, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) throw_pthread_error(rc, "pthread_mutex_init");
  }
  ~RawMutex() { pthread_mutex_destroy(&m_); }
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  //! Locks; throws OwnerDied (not holding the mutex) if the owner died.
  //! Under a strategy that owns the schedule it never blocks in the kernel:
  //! while the mutex is held it parks in the scheduler (as `label`), which
  //! runs the other roles, and throws ScheduleAborted if the trial ends.
  void lock(const char* label = "mutex.lock") {
    if (Context* c = controlling_context()) {
      while (!try_lock())
        if (c->d_.hooks->block(*c, this, label, false) == WaitResult::aborted)
          throw ScheduleAborted();
      return;
    }
    acquired(pthread_mutex_lock(&m_), "pthread_mutex_lock");
  }
  //! Locks if free; throws OwnerDied (not holding the mutex) if the owner died.
  bool try_lock() {
    const int rc = pthread_mutex_trylock(&m_);
    if (rc == EBUSY) return false;
    acquired(rc, "pthread_mutex_trylock");
    return true;
  }
  //! Unlocks. Errors (unlocking a mutex this thread does not hold) are
  //! ignored, as std::mutex does, because unlock runs in destructors.
  void unlock() noexcept {
    pthread_mutex_unlock(&m_);
    wake_blocked(this, true);
  }

  //! Takes the mutex back after a wait handed to the scheduler, which must
  //! return holding it. Once the trial was aborted the threads run freely
  //! again, so the kernel may block.
  void relock(Context& c) {
    while (!try_lock())
      if (c.d_.hooks->block(c, this, "mutex.lock", false) == WaitResult::aborted)
        return acquired(pthread_mutex_lock(&m_), "pthread_mutex_lock");
  }

  //! Checks the result of a condvar wait, which always returns holding the
  //! mutex: throws OwnerDied with the mutex consistent and still held, so
  //! the caller's lock guard releases it while unwinding.
  void relocked(int rc, const char* what) {
    if (rc == 0) return;
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(&m_);
      throw OwnerDied();
    }
    throw_pthread_error(rc, what);
  }

  pthread_mutex_t* native() noexcept { return &m_; }

 private:
  void acquired(int rc, const char* what) {
    if (rc == EOWNERDEAD) {
      // Repair the mutex for the next user, then give it back: the caller
      // gets an exception, not the lock, so no guard would unlock it.
      pthread_mutex_consistent(&m_);
      pthread_mutex_unlock(&m_);
      throw OwnerDied();
    }
    if (rc != 0) throw_pthread_error(rc, what);
  }

  pthread_mutex_t m_;
};

//! A process-shared pthread condition variable timed on CLOCK_MONOTONIC.
class RawCond {
 public:
  RawCond() {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    const int rc = pthread_cond_init(&c_, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) throw_pthread_error(rc, "pthread_cond_init");
  }
  // No pthread_cond_destroy: glibc's waits until every waiter has left, and a
  // role process killed while waiting never leaves, so the host would hang
  // destroying the state. A glibc condvar owns no resources, so none leak.
  ~RawCond() = default;
  RawCond(const RawCond&) = delete;
  RawCond& operator=(const RawCond&) = delete;

  //! Waits; `m` must be held and is held again on return or throw. Under a
  //! strategy that owns the schedule the thread parks in the scheduler (as
  //! `label`) instead; no other role runs between the unlock and the park,
  //! so no notification is lost.
  void wait(RawMutex& m, const char* label = "condvar.wait") {
    if (Context* c = controlling_context()) {
      (void)park(*c, m, label, false);
      return;
    }
    m.relocked(pthread_cond_wait(&c_, m.native()), "pthread_cond_wait");
  }
  //! Waits until the CLOCK_MONOTONIC `deadline`; false if it passed. Under a
  //! strategy that owns the schedule time does not pass: the deadline is not
  //! looked at, and the wait times out only when every role thread is
  //! blocked, so that a replay takes the same turns whatever the clock says.
  bool wait_until(RawMutex& m, const timespec& deadline, const char* label = "condvar.wait") {
    if (Context* c = controlling_context()) return park(*c, m, label, true);
    const int rc = pthread_cond_timedwait(&c_, m.native(), &deadline);
    if (rc == ETIMEDOUT) return false;
    m.relocked(rc, "pthread_cond_timedwait");
    return true;
  }
  void signal() noexcept {
    pthread_cond_signal(&c_);
    wake_blocked(this, false);
  }
  void broadcast() noexcept {
    pthread_cond_broadcast(&c_);
    wake_blocked(this, true);
  }

 private:
  // Releases `m`, parks on this condvar, and relocks `m`; false on a timeout.
  bool park(Context& c, RawMutex& m, const char* label, bool timed) {
    m.unlock();
    const WaitResult r = c.d_.hooks->block(c, this, label, timed);
    m.relock(c);
    if (r == WaitResult::aborted) throw ScheduleAborted();
    return r == WaitResult::woken;
  }

  pthread_cond_t c_;
};

//! Holds a RawMutex for a scope.
class RawLock {
 public:
  explicit RawLock(RawMutex& m, const char* label = "mutex.lock") : m_(m) { m_.lock(label); }
  ~RawLock() { m_.unlock(); }
  RawLock(const RawLock&) = delete;
  RawLock& operator=(const RawLock&) = delete;

 private:
  RawMutex& m_;
};

//! The CLOCK_MONOTONIC time `rel` from now; a negative `rel` means now.
template <class Rep, class Period>
timespec deadline_after(std::chrono::duration<Rep, Period> rel) noexcept {
  // Clamped to a century so that duration::max() cannot overflow tv_sec.
  constexpr std::int64_t kMaxNs = std::int64_t{100} * 365 * 24 * 3600 * 1'000'000'000;
  const double seconds = std::chrono::duration<double>(rel).count();
  std::int64_t ns = 0;
  if (seconds * 1e9 >= static_cast<double>(kMaxNs)) {
    ns = kMaxNs;
  } else if (seconds > 0) {
    ns = std::chrono::ceil<std::chrono::nanoseconds>(rel).count();
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

}  // namespace detail
}  // namespace strain
