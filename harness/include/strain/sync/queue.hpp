#pragma once
// A bounded FIFO queue, process-shared, whose every operation is a schedule point. Items live
// inline in the object, so a queue placed in a MAP_SHARED state carries them between role
// processes.

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "strain/sync/pthread.hpp"

namespace strain {

//! Thrown by a push on a closed queue, and by pop() on a closed, empty one.
struct QueueClosed : std::runtime_error {
  //! An error saying `what`.
  explicit QueueClosed(const char* what = "the queue is closed") : std::runtime_error(what) {}
};

namespace detail {

//! The untyped part of Queue (in strain_runtime), its base: the lock, condvars and indices, and
//! the operations that do not depend on the item type. Items are copied as bytes to and from the
//! storage passed in (kept in the queue itself, so no pointer crosses processes).
class QueueCore {
 public:
  //! How many items are queued (a snapshot).
  std::size_t size();
  //! Closes the queue: pushes then throw, pops drain what is left, blocked callers wake.
  void close();
  //! True once close() was called.
  bool closed();
  //! Marks one popped item as processed; throws std::logic_error if none is unfinished.
  void task_done();
  //! Blocks until every item ever pushed has been marked task_done().
  void join();

 protected:
  // The typed queue's item storage: `capacity` items of `size` bytes.
  struct Ring {
    std::byte* items;
    std::size_t size, capacity;
  };
  // What a pop waits for: without end, not at all, or until a deadline.
  enum class Wait { block, none, deadline };
  // Copies `item` in; waits while full unless `block` is false (then false).
  bool push(Ring r, const void* item, bool block, const char* label);
  // Copies the oldest item to `out`; false if there is none to wait for.
  bool pop(Ring r, void* out, Wait wait, const timespec* deadline, const char* label);

 private:
  RawMutex m_;
  RawCond not_empty_, not_full_, all_done_;
  std::size_t head_ = 0, count_ = 0, unfinished_ = 0;
  bool closed_ = false;
};

}  // namespace detail

//! A bounded FIFO of up to `Capacity` items of `T`, usable across threads and processes, with
//! Python queue.Queue's task_done()/join() on top (size(), close(), closed(), task_done() and
//! join() are detail::QueueCore's).
template <class T, std::size_t Capacity>
class Queue : public detail::QueueCore {
  static_assert(std::is_trivially_copyable_v<T>,
                "strain::Queue stores the bytes of its items inside itself so that every process "
                "mapping the queue can read them: T must be trivially copyable (no std::string, "
                "std::vector or pointers into one process's heap)");
  static_assert(Capacity > 0, "strain::Queue needs room for at least one item");

 public:
  //! Appends `item`, blocking while full; throws QueueClosed once closed.
  void push(const T& item) { QueueCore::push(ring(), &item, true, "queue.push"); }
  //! Appends `item` if there is room, else returns false; throws QueueClosed once closed.
  bool try_push(const T& item) { return QueueCore::push(ring(), &item, false, "queue.try_push"); }
  //! Removes the oldest item, blocking while empty; throws QueueClosed if closed and empty.
  T pop() {
    if (auto item = pop_or_closed()) return *item;
    throw QueueClosed("pop on a closed, empty queue");
  }
  //! Like pop(), but std::nullopt once closed and empty: `while (auto x = q.pop_or_closed())`.
  std::optional<T> pop_or_closed() { return take(Wait::block, nullptr, "queue.pop"); }
  //! Removes the oldest item if there is one, without blocking.
  std::optional<T> try_pop() { return take(Wait::none, nullptr, "queue.try_pop"); }
  //! Like pop_or_closed(), but also std::nullopt once `timeout` (any duration) has passed.
  std::optional<T> pop_for(std::chrono::duration<double> timeout) {
    const timespec deadline = detail::deadline_after_seconds(timeout.count());
    return take(Wait::deadline, &deadline, "queue.pop");
  }

 private:
  Ring ring() noexcept { return {storage_, sizeof(T), Capacity}; }
  std::optional<T> take(Wait wait, const timespec* deadline, const char* label) {
    std::array<std::byte, sizeof(T)> bytes;
    if (!QueueCore::pop(ring(), bytes.data(), wait, deadline, label)) return std::nullopt;
    return std::bit_cast<T>(bytes);
  }

  // The items, after the base (at the queue's address, which its schedule points name), as raw
  // bytes rather than T[Capacity] so that T need not be default-constructible.
  alignas(T) std::byte storage_[Capacity * sizeof(T)];
};

}  // namespace strain
