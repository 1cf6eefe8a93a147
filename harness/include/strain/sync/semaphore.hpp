#pragma once
// Semaphore and Barrier: process-shared, and schedule points. A role that dies holding a permit or
// before arriving leaves a hang the watchdog reports.

#include <cstddef>
#include <cstdint>

#include "strain/sync/pthread.hpp"

namespace strain {

//! A counting semaphore usable across threads and processes.
class Semaphore {
 public:
  //! Starts with `initial` permits; throws std::invalid_argument if negative.
  explicit Semaphore(std::ptrdiff_t initial = 0);

  //! Takes a permit, blocking while there is none.
  void acquire();
  //! Takes a permit if one is free; false otherwise.
  bool try_acquire();
  //! Returns `n` permits; throws std::invalid_argument if `n` is negative.
  void release(std::ptrdiff_t n = 1);

 private:
  detail::RawMutex m_;
  detail::RawCond cv_;
  std::ptrdiff_t count_;
};

//! A reusable barrier for a fixed number of parties, across threads and processes: each round
//! releases everyone once the last party arrives.
class Barrier {
 public:
  //! A barrier for `parties` parties; throws std::invalid_argument if 0.
  explicit Barrier(std::uint32_t parties);

  //! Arrives and blocks until every party of this round has arrived.
  void arrive_and_wait();

 private:
  detail::RawMutex m_;
  detail::RawCond cv_;
  std::uint32_t parties_, arrived_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace strain
