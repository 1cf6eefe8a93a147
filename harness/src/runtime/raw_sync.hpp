#pragma once
// The operations on detail::RawMutex and RawCond (strain/sync/pthread.hpp),
// without schedule points: the primitives' bodies (sync.cpp, queue.cpp) and
// the process pool's engine use them. Under a strategy that owns the
// schedule a lock or wait parks in the scheduler instead of blocking in the
// kernel. Private to strain_runtime, so that the public headers hold only
// the state a primitive's layout needs.

#include <time.h>

#include "strain/sync/pthread.hpp"

namespace strain::detail {

//! Locks (`label` names the wait in deadlock reports); throws OwnerDied, not
//! holding it, if the owner died, ScheduleAborted if the trial ended.
void raw_lock(RawMutex& m, const char* label = "mutex.lock");
//! Locks if free; throws OwnerDied (not holding the mutex) if the owner died.
bool raw_try_lock(RawMutex& m);
//! Unlocks; errors are ignored, as std::mutex does (unlock runs in destructors).
void raw_unlock(RawMutex& m) noexcept;

//! Waits on `c`; `m` must be held and is held again on return or throw.
//! Under `controlled` time does not pass: a timed wait times out only when
//! every role thread is blocked, so a replay does not depend on the clock.
void raw_wait(RawCond& c, RawMutex& m, const char* label = "condvar.wait");
//! Waits until the CLOCK_MONOTONIC `deadline`; false if it passed.
bool raw_wait_until(RawCond& c, RawMutex& m, const timespec& deadline,
                    const char* label = "condvar.wait");
//! Wakes one waiter.
void raw_signal(RawCond& c) noexcept;
//! Wakes every waiter.
void raw_broadcast(RawCond& c) noexcept;

//! Holds a RawMutex for a scope.
class RawLock {
 public:
  explicit RawLock(RawMutex& m, const char* label = "mutex.lock") : m_(m) { raw_lock(m_, label); }
  ~RawLock() { raw_unlock(m_); }
  RawLock(const RawLock&) = delete;
  RawLock& operator=(const RawLock&) = delete;

 private:
  RawMutex& m_;
};

}  // namespace strain::detail
