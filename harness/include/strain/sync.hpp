#pragma once
// Synchronisation primitives for scenarios. They are process-shared (usable
// in a MAP_SHARED state) and every operation is a schedule point.

#include <pthread.h>

#include <cerrno>
#include <system_error>

#include "strain/context.hpp"

namespace strain {

namespace detail {
inline void sync_point(const char* label) noexcept {
  if (tls_context != nullptr) tls_context->point(label);
}
}  // namespace detail

//! A mutex usable across threads and processes; lock and unlock are schedule
//! points. Satisfies Lockable, so std::lock_guard and std::unique_lock work.
class Mutex {
 public:
  Mutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    const int rc = pthread_mutex_init(&m_, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_mutex_init");
  }
  ~Mutex() { pthread_mutex_destroy(&m_); }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  //! Locks; a schedule point before taking the lock.
  void lock() {
    detail::sync_point("mutex.lock");
    const int rc = pthread_mutex_lock(&m_);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_mutex_lock");
  }
  //! Tries to lock without blocking.
  bool try_lock() {
    detail::sync_point("mutex.try_lock");
    return pthread_mutex_trylock(&m_) == 0;
  }
  //! Unlocks; a schedule point after releasing the lock.
  void unlock() {
    pthread_mutex_unlock(&m_);
    detail::sync_point("mutex.unlock");
  }

 private:
  pthread_mutex_t m_;
};

}  // namespace strain
