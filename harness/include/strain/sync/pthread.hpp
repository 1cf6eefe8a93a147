#pragma once
// The layer under the public primitives: the schedule point, a robust
// process-shared pthread mutex and a process-shared CLOCK_MONOTONIC condition
// variable (their bodies are in the strain_runtime library). The raw types
// take no schedule points, so a primitive built on them passes exactly its
// own labelled point. Under a strategy that owns the schedule (`controlled`)
// they never block in the kernel but park the thread in the scheduler.

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

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
  if (c != nullptr) ContextAccess::point(*c, label, object, kind);
}

//! This thread's context if a strategy owns the schedule (then a primitive
//! must not block in the kernel), else null.
inline Context* controlling_context() noexcept {
  if (!points_enabled.load(std::memory_order_relaxed)) return nullptr;
  Context* c = tls_context;
  return c != nullptr && ContextAccess::hooks(*c) != nullptr ? c : nullptr;
}

//! A robust, process-shared pthread mutex without schedule points. lock()
//! throws OwnerDied (not holding the mutex) if the owner died; under a
//! strategy that owns the schedule a held mutex parks the caller in the
//! scheduler, and lock() throws ScheduleAborted if the trial ends.
class RawMutex {
 public:
  RawMutex();
  ~RawMutex();
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  //! Locks; `label` names the wait in deadlock reports.
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

//! A process-shared pthread condition variable timed on CLOCK_MONOTONIC.
//! Under a strategy that owns the schedule a wait parks in the scheduler and
//! time does not pass: a timed wait times out only when every role thread is
//! blocked, so that a replay takes the same turns whatever the clock says.
class RawCond {
 public:
  RawCond();
  // No pthread_cond_destroy: glibc's waits for every waiter to leave, and a
  // role process killed while waiting never leaves.
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

//! The CLOCK_MONOTONIC time `seconds` from now (clamped to a century; a
//! negative value means now).
timespec deadline_after_seconds(double seconds) noexcept;

//! The CLOCK_MONOTONIC time `rel` from now; a negative `rel` means now.
template <class Rep, class Period>
timespec deadline_after(std::chrono::duration<Rep, Period> rel) noexcept {
  return deadline_after_seconds(std::chrono::duration<double>(rel).count());
}

}  // namespace detail
}  // namespace strain
