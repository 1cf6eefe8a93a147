#pragma once
// Which fiber holds each recursive mutex of a trial run as fibers
// (role_fibers.hpp). glibc knows a recursive mutex's owner by the thread id
// (PTHREAD_MUTEX_RECURSIVE: the owner's tid and a count in the mutex), which
// every fiber shares: a second fiber's lock was taken as a recursion of the
// first's, and both were inside (tests/plugins/fiber_roles.cpp, variant
// recursive). So for a fiber the steered lock keeps the owner and the depth
// here, and the C library's mutex is taken once, by the first lock, and
// released by the last unlock; another fiber finds it held and parks.
//
// A fixed table scanned in order: one trial's fibers hold a few recursive
// mutexes at once, and the steered lock is on the hot path (no allocation).
// Only the fibers' one thread touches it, so it needs no lock.

#include <cstdint>

namespace strain::sched {

class FiberMutexes {
 public:
  //! Recursive mutexes held at once by a trial's fibers, at most.
  static constexpr unsigned kCapacity = 64;

  struct Held {
    const void* mutex = nullptr;
    unsigned owner = 0;  // the holder's slot in the controller
    std::uint32_t depth = 0;
  };

  //! The entry of `mutex`, or null if no fiber holds it.
  Held* find(const void* mutex) noexcept {
    for (unsigned k = 0; k < used_; ++k)
      if (held_[k].mutex == mutex) return &held_[k];
    return nullptr;
  }
  //! `owner` took `mutex`, once; null if the table is full.
  Held* add(const void* mutex, unsigned owner) noexcept {
    if (used_ == kCapacity) return nullptr;
    held_[used_] = Held{mutex, owner, 1};
    return &held_[used_++];
  }
  //! `h`'s mutex is no longer held.
  void remove(Held* h) noexcept { *h = held_[--used_]; }
  //! A new trial: a mutex the last one left held (or destroyed held, with
  //! the state) is not this trial's.
  void clear() noexcept { used_ = 0; }

 private:
  Held held_[kCapacity];
  unsigned used_ = 0;
};

}  // namespace strain::sched
