#pragma once
// A bounded FIFO queue, process-shared, whose every operation is a schedule
// point. Items live inline in the object, so a queue placed in a MAP_SHARED
// state carries them between role processes.

#include <chrono>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "strain/sync/pthread.hpp"

namespace strain {

//! Thrown by a push on a closed queue, and by pop() on a closed, empty one.
class QueueClosed : public std::runtime_error {
 public:
  explicit QueueClosed(const char* what = "the queue is closed") : std::runtime_error(what) {}
};

//! A bounded FIFO of up to `Capacity` items of `T`, usable across threads and
//! processes, with Python queue.Queue's task_done()/join() on top.
template <class T, std::size_t Capacity>
class Queue {
  static_assert(std::is_trivially_copyable_v<T>,
                "strain::Queue stores the bytes of its items inside itself so that every process "
                "mapping the queue can read them: T must be trivially copyable (no std::string, "
                "std::vector or pointers into one process's heap)");
  static_assert(Capacity > 0, "strain::Queue needs room for at least one item");

 public:
  Queue() = default;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  //! Appends `item`, blocking while full; throws QueueClosed once closed.
  void push(const T& item) {
    detail::sync_point("queue.push", this);
    detail::RawLock lock(m_, "queue.push");
    while (count_ == Capacity && !closed_) not_full_.wait(m_, "queue.push");
    put(item);
  }
  //! Appends `item` if there is room, else returns false; throws QueueClosed once closed.
  bool try_push(const T& item) {
    detail::sync_point("queue.try_push", this);
    detail::RawLock lock(m_, "queue.try_push");
    if (count_ == Capacity && !closed_) return false;
    put(item);
    return true;
  }
  //! Removes the oldest item, blocking while empty; throws QueueClosed if closed and empty.
  T pop() {
    detail::sync_point("queue.pop", this);
    detail::RawLock lock(m_, "queue.pop");
    while (count_ == 0 && !closed_) not_empty_.wait(m_, "queue.pop");
    if (count_ == 0) throw QueueClosed("pop on a closed, empty queue");
    return take();
  }
  //! Like pop(), but std::nullopt once closed and empty: `while (auto x = q.pop_or_closed())`.
  std::optional<T> pop_or_closed() {
    detail::sync_point("queue.pop", this);
    detail::RawLock lock(m_, "queue.pop");
    while (count_ == 0 && !closed_) not_empty_.wait(m_, "queue.pop");
    if (count_ == 0) return std::nullopt;
    return take();
  }
  //! Removes the oldest item if there is one, without blocking.
  std::optional<T> try_pop() {
    detail::sync_point("queue.try_pop", this);
    detail::RawLock lock(m_, "queue.try_pop");
    if (count_ == 0) return std::nullopt;
    return take();
  }
  //! Like pop_or_closed(), but also std::nullopt once `timeout` has passed.
  template <class Rep, class Period>
  std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
    detail::sync_point("queue.pop", this);
    const timespec deadline = detail::deadline_after(timeout);
    detail::RawLock lock(m_, "queue.pop");
    while (count_ == 0 && !closed_) {
      if (!not_empty_.wait_until(m_, deadline, "queue.pop")) break;
    }
    if (count_ == 0) return std::nullopt;
    return take();
  }
  //! How many items are queued (a snapshot).
  std::size_t size() {
    detail::sync_point("queue.size", this);
    detail::RawLock lock(m_, "queue.size");
    return count_;
  }
  //! Closes the queue: pushes then throw, pops drain what is left, blocked callers wake.
  void close() {
    detail::sync_point("queue.close", this);
    detail::RawLock lock(m_, "queue.close");
    closed_ = true;
    not_empty_.broadcast();
    not_full_.broadcast();
  }
  //! True once close() was called.
  bool closed() {
    detail::sync_point("queue.closed", this);
    detail::RawLock lock(m_, "queue.closed");
    return closed_;
  }
  //! Marks one popped item as processed; throws std::logic_error if none is unfinished.
  void task_done() {
    detail::sync_point("queue.task_done", this);
    detail::RawLock lock(m_, "queue.task_done");
    if (unfinished_ == 0) throw std::logic_error("task_done() called more times than items pushed");
    if (--unfinished_ == 0) all_done_.broadcast();
  }
  //! Blocks until every item ever pushed has been marked task_done().
  void join() {
    detail::sync_point("queue.join", this);
    detail::RawLock lock(m_, "queue.join");
    while (unfinished_ != 0) all_done_.wait(m_, "queue.join");
  }

 private:
  void put(const T& item) {
    if (closed_) throw QueueClosed("push on a closed queue");
    ::new (static_cast<void*>(slot((head_ + count_) % Capacity))) T(item);
    ++count_;
    ++unfinished_;
    not_empty_.signal();
  }
  T take() {
    T item = *std::launder(reinterpret_cast<T*>(slot(head_)));
    head_ = (head_ + 1) % Capacity;
    --count_;
    not_full_.signal();
    return item;
  }
  std::byte* slot(std::size_t i) noexcept { return storage_ + i * sizeof(T); }

  detail::RawMutex m_;
  detail::RawCond not_empty_;
  detail::RawCond not_full_;
  detail::RawCond all_done_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t unfinished_ = 0;
  bool closed_ = false;
  // Raw bytes rather than T[Capacity], so T need not be default-constructible.
  alignas(T) std::byte storage_[Capacity * sizeof(T)];
};

}  // namespace strain
