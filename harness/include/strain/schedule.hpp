#pragma once
// The schedule as a plugin sees it: what a schedule point tells the strategy.

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

// What a strategy that owns the schedule (`controlled`) provides: the
// blocking waits and the weak memory model. Host-side (runtime/abi_types.hpp).
struct SchedHooks;

//! True once a role of this process ran under a strategy with schedule
//! points. The primitives test it before anything else, so under strategy
//! `none` an atomic costs one extra load of a line that is never written.
inline std::atomic<bool> points_enabled{false};

}  // namespace detail
}  // namespace strain
