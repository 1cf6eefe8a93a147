#pragma once
// Mutex and CondVar: process-shared, robust, and schedule points.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "strain/sync/pthread.hpp"

namespace strain {

//! A mutex usable across threads and across processes sharing a mapping. Satisfies Lockable, so
//! std::lock_guard and std::unique_lock work. It is robust: a role that dies holding it makes the
//! next lock() throw OwnerDied instead of hanging, and the mutex is usable again afterwards.
class Mutex {
 public:
  //! Locks; a schedule point before taking the lock. Throws OwnerDied, not holding the lock, if the
  //! previous owner died holding it.
  void lock();
  //! Tries to lock without blocking; throws OwnerDied like lock().
  bool try_lock();
  //! Unlocks; a schedule point before releasing the lock.
  void unlock();

 private:
  friend class CondVar;
  detail::RawMutex m_;
};

//! A condition variable for Mutex, usable across threads and processes. Timeouts use
//! CLOCK_MONOTONIC, so clock changes do not affect them. Every wait returns (or throws) with the
//! lock held again; if the mutex's owner died meanwhile, the wait throws OwnerDied.
class CondVar {
 public:
  //! Releases `lock`, waits for a notification (or a spurious wakeup), and relocks.
  void wait(std::unique_lock<Mutex>& lock);
  //! Waits until `pred()` holds.
  template <class Pred>
  void wait(std::unique_lock<Mutex>& lock, Pred pred) {
    while (!pred()) wait(lock);
  }
  //! Waits at most `rel` (any std::chrono duration); cv_status::timeout if it ran out.
  std::cv_status wait_for(std::unique_lock<Mutex>& lock, std::chrono::duration<double> rel);
  //! Waits at most `rel` for `pred()`; returns pred() at the end.
  template <class Pred>
  bool wait_for(std::unique_lock<Mutex>& lock, std::chrono::duration<double> rel, Pred pred) {
    const timespec deadline = detail::deadline_after_seconds(rel.count());
    while (!pred())
      if (!wait_until(lock, deadline)) return pred();
    return true;
  }
  //! Wakes one waiter.
  void notify_one() noexcept;
  //! Wakes every waiter.
  void notify_all() noexcept;

 private:
  // A schedule point, then a wait until the CLOCK_MONOTONIC `deadline`.
  bool wait_until(std::unique_lock<Mutex>& lock, const timespec& deadline);

  detail::RawCond c_;
};

}  // namespace strain
