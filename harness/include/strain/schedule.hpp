#pragma once
// The schedule as a plugin sees it: what a schedule point tells the strategy,
// and the hooks through which a strategy that owns the schedule (`controlled`)
// takes over the blocking operations and the atomics of <strain/sync.hpp>.
// Plain data and function pointers only, so the layout is covered by the ABI
// version alone.

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace strain {

class Context;

//! Thrown by a blocking operation of a strain primitive when the controlled
//! scheduler has ended the trial, because every role thread was blocked (a
//! deadlock). Let it propagate: the trial is already classified as
//! `deadlock`, and the role only needs to unwind.
class ScheduleAborted : public std::runtime_error {
 public:
  ScheduleAborted()
      : std::runtime_error(
            "the controlled scheduler ended this trial: every role thread was blocked") {}
};

namespace detail {

//! What the operation at a schedule point does to its object. Strategies that
//! reason about conflicts (`controlled` with `pick: pos`) and the weak memory
//! model use it; the others only see the label.
enum class Access : std::uint32_t {
  none,    // a plain point: Context::point()
  read,    // an atomic load
  write,   // an atomic store
  update,  // an atomic read-modify-write
  sync,    // a lock, unlock, wait, notify, queue or barrier operation
  yield,   // the thread offers to let others run (spin loops, sleep)
};

//! How a blocking wait handed to the scheduler ended.
enum class WaitResult : std::uint32_t { woken, timed_out, aborted };

//! What a strategy that owns the schedule provides. Null in ContextData
//! under every other strategy, so the primitives then block in the kernel as
//! usual. Only one role thread runs at a time under such a strategy, so a
//! primitive must never block in the kernel: it tries, and if it cannot
//! proceed it blocks here, on the object it waits for.
struct SchedHooks {
  //! Parks the calling thread until another role calls wake(object) (or, for
  //! a `timed` wait, until every thread is blocked). Other threads run
  //! meanwhile. `label` names the operation for deadlock reports.
  WaitResult (*block)(Context& ctx, const void* object, const char* label, bool timed) noexcept;
  //! Makes the threads blocked on `object` runnable: the longest-waiting one,
  //! or all of them.
  void (*wake)(Context& ctx, const void* object, bool all) noexcept;
  //! The weak memory model (null when it is off): the value an atomic load
  //! returns, given the newest value; `order` is a std::memory_order.
  std::uint64_t (*load)(Context& ctx, const void* object, std::uint64_t newest, int order) noexcept;
  //! Records a store (`update`: a read-modify-write) that replaced `before`.
  void (*store)(Context& ctx, const void* object, std::uint64_t before, std::uint64_t after,
                int order, bool update) noexcept;
};

//! Or-ed into the order passed to SchedHooks::load when the load must see
//! the newest value (a failed compare-exchange reads it, as any
//! read-modify-write does).
inline constexpr int kLoadNewest = 0x100;

//! True once a role of this process ran under a strategy with schedule
//! points. The primitives test it before anything else, so under strategy
//! `none` an atomic costs one extra load of a line that is never written.
inline std::atomic<bool> points_enabled{false};

}  // namespace detail
}  // namespace strain
