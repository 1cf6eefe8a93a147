#pragma once
// An atomic whose every operation is a schedule point (as loom's and Relacy's are), and the fence
// and yield lock-free code written with it needs.

#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "strain/sync/pthread.hpp"

namespace strain {

namespace detail {
//! The weak memory model of `controlled` (in strain_runtime, off the hot path): the value a load
//! returns given the newest (`newest`: it must see it), and the record of a store (`update`: a
//! read-modify-write).
std::uint64_t model_load(const void* object, std::uint64_t value, int order, bool newest) noexcept;
void model_store(const void* object, std::uint64_t before, std::uint64_t after, int order,
                 bool update) noexcept;
}  // namespace detail

//! std::atomic<T> whose operations are schedule points; valid in a MAP_SHARED state. Under `none`
//! it costs std::atomic's price plus one relaxed load. Under `controlled` with `weak_memory: true`
//! a relaxed or acquire load may return an older value the C++ memory model allows (a missing
//! release/acquire pair shows as a stale read).
template <class T>
class Atomic {
  static_assert(std::atomic<T>::is_always_lock_free,
                "strain::Atomic<T> must be lock-free: a std::atomic that is not falls back to "
                "locks in a table private to each process, so it would not be atomic across the "
                "processes sharing a mapping");
  static constexpr bool kNumber = std::is_integral_v<T> && !std::is_same_v<T, bool>;

 public:
  //! Value-initialises (zero for numbers).
  Atomic() noexcept = default;
  //! Starts at `value`.
  constexpr Atomic(T value) noexcept : v_(value) {}  // implicit, like std::atomic

  //! Reads the value.
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    if (!detail::points_enabled.load(std::memory_order_relaxed)) [[likely]]
      return v_.load(order);
    const bool model = step("atomic.load", detail::Access::read);
    const T newest = v_.load(order);
    return model ? value(detail::model_load(this, bits(newest), static_cast<int>(order), false))
                 : newest;
  }
  //! Writes `desired`.
  void store(T desired, std::memory_order order = std::memory_order_seq_cst) noexcept {
    if (!detail::points_enabled.load(std::memory_order_relaxed)) [[likely]]
      return v_.store(desired, order);
    if (!step("atomic.store", detail::Access::write)) return v_.store(desired, order);
    // Only one role runs while the model is on: reading the value replaced cannot race.
    const std::uint64_t before = bits(v_.load(std::memory_order_relaxed));
    v_.store(desired, order);
    detail::model_store(this, before, bits(desired), static_cast<int>(order), false);
  }
  //! Writes `value` and returns the previous value.
  T exchange(T value, std::memory_order o = std::memory_order_seq_cst) noexcept {
    return update("atomic.exchange", o, [&](auto& v) { return v.exchange(value, o); });
  }
  //! Writes `desired` if the value equals `expected` and returns true; otherwise loads the value
  //! into `expected` and returns false.
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) noexcept {
    return compare_exchange(expected, desired, success, failure, false);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange(expected, desired, order, failure_order(order), false);
  }
  //! Like compare_exchange_strong(), but may fail spuriously; for retry loops.
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) noexcept {
    return compare_exchange(expected, desired, success, failure, true);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange(expected, desired, order, failure_order(order), true);
  }
  //! fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor: `arg` added, subtracted, and-ed, or-ed
  //! or xor-ed in; each returns the previous value.
  T fetch_add(T arg, std::memory_order o = std::memory_order_seq_cst) noexcept requires kNumber {
    return update("atomic.fetch_add", o, [&](auto& v) { return v.fetch_add(arg, o); });
  }
  T fetch_sub(T arg, std::memory_order o = std::memory_order_seq_cst) noexcept requires kNumber {
    return update("atomic.fetch_sub", o, [&](auto& v) { return v.fetch_sub(arg, o); });
  }
  T fetch_and(T arg, std::memory_order o = std::memory_order_seq_cst) noexcept requires kNumber {
    return update("atomic.fetch_and", o, [&](auto& v) { return v.fetch_and(arg, o); });
  }
  T fetch_or(T arg, std::memory_order o = std::memory_order_seq_cst) noexcept requires kNumber {
    return update("atomic.fetch_or", o, [&](auto& v) { return v.fetch_or(arg, o); });
  }
  T fetch_xor(T arg, std::memory_order o = std::memory_order_seq_cst) noexcept requires kNumber {
    return update("atomic.fetch_xor", o, [&](auto& v) { return v.fetch_xor(arg, o); });
  }

  //! load(), as std::atomic's conversion.
  operator T() const noexcept { return load(); }
  //! store(value); returns value, as std::atomic's assignment.
  T operator=(T value) noexcept { return store(value), value; }
  //! The arithmetic operators, as std::atomic's (the new value; x++ the old).
  T operator++() noexcept requires kNumber { return fetch_add(1) + T(1); }
  T operator++(int) noexcept requires kNumber { return fetch_add(1); }
  T operator--() noexcept requires kNumber { return fetch_sub(1) - T(1); }
  T operator--(int) noexcept requires kNumber { return fetch_sub(1); }
  T operator+=(T arg) noexcept requires kNumber { return fetch_add(arg) + arg; }
  T operator-=(T arg) noexcept requires kNumber { return fetch_sub(arg) - arg; }

 private:
  // The weak memory model handles values as up to 64 bits.
  static constexpr bool kModelled = sizeof(T) <= sizeof(std::uint64_t);
  static std::uint64_t bits(const T& v) noexcept {
    std::uint64_t b = 0;
    if constexpr (kModelled) std::memcpy(&b, &v, sizeof(T));
    return b;
  }
  static T value(std::uint64_t b) noexcept {
    T v;
    if constexpr (kModelled) std::memcpy(&v, &b, sizeof(T));
    return v;
  }
  static constexpr std::memory_order failure_order(std::memory_order o) noexcept {
    return o == std::memory_order_acq_rel   ? std::memory_order_acquire
           : o == std::memory_order_release ? std::memory_order_relaxed
                                            : o;
  }
  // The schedule point of an operation while points are on; true if the weak memory model then
  // wants its values.
  bool step(const char* label, detail::Access kind) const noexcept {
    return detail::scheduled_point(this, label, kind) && kModelled;
  }
  // A read-modify-write `op` on the value: a point, then the operation, whose result the memory
  // model records as the newest store.
  template <class Op>
  T update(const char* label, std::memory_order order, Op op) noexcept {
    if (!detail::points_enabled.load(std::memory_order_relaxed)) [[likely]]
      return op(v_);
    const bool model = step(label, detail::Access::update);
    const T before = op(v_);
    if (model)
      detail::model_store(this, bits(before), bits(v_.load(std::memory_order_relaxed)),
                          static_cast<int>(order), true);
    return before;
  }
  bool compare_exchange(T& expected, T desired, std::memory_order success,
                        std::memory_order failure, bool weak) noexcept {
    const auto cas = [&] {
      return weak ? v_.compare_exchange_weak(expected, desired, success, failure)
                  : v_.compare_exchange_strong(expected, desired, success, failure);
    };
    if (!detail::points_enabled.load(std::memory_order_relaxed)) [[likely]]
      return cas();
    const bool model = step("atomic.compare_exchange", detail::Access::update);
    const T before = expected;
    const bool ok = cas();
    if (model && ok)
      detail::model_store(this, bits(before), bits(desired), static_cast<int>(success), true);
    else if (model)  // a failed compare-exchange is a load of the newest value
      (void)detail::model_load(this, bits(expected), static_cast<int>(failure), true);
    return ok;
  }

  std::atomic<T> v_{};
};

//! std::atomic_thread_fence(order) and a schedule point, which the weak memory model treats as a
//! synchronisation with every other role.
inline void atomic_thread_fence(std::memory_order order) noexcept {
  std::atomic_thread_fence(order);
  detail::sync_point("atomic.fence", nullptr, detail::Access::sync);
}

//! Context::yield() of the calling role, or std::this_thread::yield() outside roles: for spin loops
//! without a Context at hand.
void yield() noexcept;

}  // namespace strain
