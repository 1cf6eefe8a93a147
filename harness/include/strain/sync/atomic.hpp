#pragma once
// An atomic whose every operation is a schedule point.

#include <atomic>
#include <type_traits>

#include "strain/sync/pthread.hpp"

namespace strain {

//! std::atomic<T> whose operations are schedule points, so a strategy can
//! interleave roles between them. Valid in a MAP_SHARED state.
template <class T>
class Atomic {
  static_assert(std::atomic<T>::is_always_lock_free,
                "strain::Atomic<T> must be lock-free: a std::atomic that is not falls back to "
                "locks in a table private to each process, so it would not be atomic across the "
                "processes sharing a mapping");

 public:
  //! Value-initialises (zero for numbers).
  Atomic() noexcept = default;
  //! Starts at `value`.
  constexpr Atomic(T value) noexcept : v_(value) {}  // implicit, like std::atomic
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  //! Reads the value.
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    detail::sync_point("atomic.load");
    return v_.load(order);
  }
  //! Writes `value`.
  void store(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    detail::sync_point("atomic.store");
    v_.store(value, order);
  }
  //! Writes `value` and returns the previous value.
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    detail::sync_point("atomic.exchange");
    return v_.exchange(value, order);
  }
  //! Writes `desired` if the value equals `expected`; otherwise loads it into `expected`.
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) noexcept {
    detail::sync_point("atomic.compare_exchange");
    return v_.compare_exchange_strong(expected, desired, order);
  }
  //! Like compare_exchange_strong(), but may fail spuriously; for retry loops.
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) noexcept {
    detail::sync_point("atomic.compare_exchange");
    return v_.compare_exchange_weak(expected, desired, order);
  }
  //! Adds `arg` and returns the previous value.
  T fetch_add(T arg, std::memory_order order = std::memory_order_seq_cst) noexcept
      requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    detail::sync_point("atomic.fetch_add");
    return v_.fetch_add(arg, order);
  }
  //! Subtracts `arg` and returns the previous value.
  T fetch_sub(T arg, std::memory_order order = std::memory_order_seq_cst) noexcept
      requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    detail::sync_point("atomic.fetch_sub");
    return v_.fetch_sub(arg, order);
  }

 private:
  std::atomic<T> v_{};
};

}  // namespace strain
