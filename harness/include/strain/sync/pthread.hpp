#pragma once
// The layer under the primitives: the schedule point, and a robust
// process-shared mutex and CLOCK_MONOTONIC condvar without points (bodies in
// strain_runtime), which under `controlled` park in the scheduler instead of
// blocking in the kernel.

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "strain/context.hpp"
#include "strain/schedule.hpp"

namespace strain {

//! Thrown by a lock or wait whose mutex's owner died inside the critical
//! section; the mutex stays usable, the data it guards may be half-updated.
class OwnerDied : public std::runtime_error {
 public:
  OwnerDied()
      : std::runtime_error("a role died holding the mutex; its state may be inconsistent") {}
};

namespace detail {

//! A schedule point named `label` on `object`; until a strategy with points
//! runs in this process, one relaxed load and a branch.
inline void sync_point(const char* label, const void* object = nullptr,
                       Access kind = Access::sync) noexcept {
  if (!points_enabled.load(std::memory_order_relaxed)) [[likely]]
    return;
  Context* c = tls_context;
  if (c != nullptr) ContextAccess::point(*c, label, object, kind);
}

//! A robust, process-shared pthread mutex without schedule points.
class RawMutex {
 public:
  RawMutex();
  ~RawMutex();
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  //! Locks (`label` names the wait in deadlock reports); throws OwnerDied,
  //! not holding it, if the owner died, ScheduleAborted if the trial ended.
  void lock(const char* label = "mutex.lock");
  //! Locks if free; throws OwnerDied (not holding the mutex) if the owner died.
  bool try_lock();
  //! Unlocks; errors are ignored, as std::mutex does (unlock runs in destructors).
  void unlock() noexcept;

 private:
  friend class RawCond;
  void relock(Context& c);                  // after a wait handed to the scheduler
  void relocked(int rc, const char* what);  // checks a condvar wait's result
  void acquired(int rc, const char* what);  // checks a lock's result
  pthread_mutex_t m_;
};

//! A process-shared condition variable timed on CLOCK_MONOTONIC. Under
//! `controlled` time does not pass: a timed wait times out only when every
//! role thread is blocked, so a replay does not depend on the clock.
class RawCond {
 public:
  RawCond();
  // No pthread_cond_destroy: it waits for waiters a killed role never frees.
  ~RawCond() = default;
  RawCond(const RawCond&) = delete;
  RawCond& operator=(const RawCond&) = delete;

  //! Waits; `m` must be held and is held again on return or throw.
  void wait(RawMutex& m, const char* label = "condvar.wait");
  //! Waits until the CLOCK_MONOTONIC `deadline`; false if it passed.
  bool wait_until(RawMutex& m, const timespec& deadline, const char* label = "condvar.wait");
  //! Wakes one waiter.
  void signal() noexcept;
  //! Wakes every waiter.
  void broadcast() noexcept;

 private:
  bool park(Context& c, RawMutex& m, const char* label, bool timed);
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

//! The CLOCK_MONOTONIC time `seconds` from now (at most a century).
timespec deadline_after_seconds(double seconds) noexcept;

//! The CLOCK_MONOTONIC time `rel` from now; a negative `rel` means now.
template <class Rep, class Period>
timespec deadline_after(std::chrono::duration<Rep, Period> rel) noexcept {
  return deadline_after_seconds(std::chrono::duration<double>(rel).count());
}

}  // namespace detail
}  // namespace strain
