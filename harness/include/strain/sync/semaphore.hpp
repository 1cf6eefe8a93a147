#pragma once
// Semaphore and Barrier: process-shared, and schedule points.
//
// Both are built on the robust mutex and monotonic condvar of
// sync/pthread.hpp rather than on sem_t or pthread_barrier_t, so that every
// primitive shares one process-shared layer: release(n) is one step under the
// lock instead of n sem_post calls, and a role killed inside the short
// critical section surfaces as OwnerDied. Neither design notices a role that
// dies holding a permit or before arriving; the trial watchdog reports the
// resulting hang.

#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "strain/sync/pthread.hpp"

namespace strain {

//! A counting semaphore usable across threads and processes.
class Semaphore {
 public:
  //! Starts with `initial` permits; throws std::invalid_argument if negative.
  explicit Semaphore(std::ptrdiff_t initial = 0) : count_(initial) {
    if (initial < 0) throw std::invalid_argument("Semaphore: negative initial count");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  //! Takes a permit, blocking while there is none.
  void acquire() {
    detail::sync_point("semaphore.acquire", this);
    detail::RawLock lock(m_);
    while (count_ == 0) cv_.wait(m_, "semaphore.acquire");
    --count_;
  }
  //! Takes a permit if one is free; false otherwise.
  bool try_acquire() {
    detail::sync_point("semaphore.try_acquire", this);
    detail::RawLock lock(m_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }
  //! Returns `n` permits; throws std::invalid_argument if `n` is negative.
  void release(std::ptrdiff_t n = 1) {
    detail::sync_point("semaphore.release", this);
    if (n < 0) throw std::invalid_argument("Semaphore::release: negative count");
    detail::RawLock lock(m_);
    count_ += n;
    if (n == 1) {
      cv_.signal();
    } else if (n > 1) {
      cv_.broadcast();
    }
  }

 private:
  detail::RawMutex m_;
  detail::RawCond cv_;
  std::ptrdiff_t count_;
};

//! A reusable barrier for a fixed number of parties, across threads and
//! processes: each round releases everyone once the last party arrives.
class Barrier {
 public:
  //! A barrier for `parties` parties; throws std::invalid_argument if 0.
  explicit Barrier(std::uint32_t parties) : parties_(parties) {
    if (parties == 0) throw std::invalid_argument("Barrier: needs at least one party");
  }
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  //! Arrives and blocks until every party of this round has arrived.
  void arrive_and_wait() {
    detail::sync_point("barrier.arrive", this);
    detail::RawLock lock(m_);
    // The generation tells a woken party whether its own round completed; a
    // plain count would confuse it with the next round's arrivals.
    const std::uint64_t round = generation_;
    if (++arrived_ == parties_) {
      arrived_ = 0;
      ++generation_;
      cv_.broadcast();
      return;
    }
    while (round == generation_) cv_.wait(m_, "barrier.arrive");
  }

 private:
  detail::RawMutex m_;
  detail::RawCond cv_;
  std::uint32_t parties_;
  std::uint32_t arrived_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace strain
