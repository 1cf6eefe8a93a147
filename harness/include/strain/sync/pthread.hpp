#pragma once
// The layer under the primitives: the schedule point, and the state of a robust process-shared
// mutex and a CLOCK_MONOTONIC condvar, whose operations (strain_runtime) park in the scheduler
// under `controlled` instead of blocking in the kernel.

#include <pthread.h>
#include <time.h>

#include <cstdint>
#include <stdexcept>

#include "strain/context.hpp"

namespace strain {

//! Thrown by a lock or wait whose mutex's owner died inside the critical section; the mutex stays
//! usable, the data it guards may be half-updated.
struct OwnerDied : std::runtime_error {
  OwnerDied()
      : std::runtime_error("a role died holding the mutex; its state may be inconsistent") {}
};

namespace detail {

//! The schedule point of an operation of kind `kind` on `object` (none outside a role); true if the
//! weak memory model of `controlled` is on.
bool scheduled_point(const void* object, const char* label, Access kind) noexcept;

//! A schedule point named `label` on `object`; until a strategy with points runs in this process,
//! one relaxed load and a branch.
inline void sync_point(const char* label, const void* object = nullptr,
                       Access kind = Access::sync) noexcept {
  if (points_enabled.load(std::memory_order_relaxed)) [[unlikely]]
    (void)scheduled_point(object, label, kind);
}

//! The state of a robust, process-shared pthread mutex, which Mutex, Semaphore, Barrier and Queue
//! hold; strain_runtime operates on it.
struct RawMutex {
  RawMutex();
  ~RawMutex();
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;
  pthread_mutex_t m;
};

//! The state of a process-shared condition variable timed on CLOCK_MONOTONIC.
struct RawCond {
  RawCond();  // and no pthread_cond_destroy: it waits for waiters a killed role never frees
  RawCond(const RawCond&) = delete;
  RawCond& operator=(const RawCond&) = delete;
  pthread_cond_t c;
};

//! The CLOCK_MONOTONIC time `seconds` from now (a negative time means now; at most a century).
timespec deadline_after_seconds(double seconds) noexcept;

}  // namespace detail
}  // namespace strain
