#pragma once
// The schedule as a plugin sees it: what a schedule point tells the strategy.

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace strain {

class Context;

//! Thrown by a blocking primitive when the controlled scheduler ended the trial as a `deadlock`
//! (every role thread blocked): let it propagate.
class ScheduleAborted : public std::runtime_error {
 public:
  ScheduleAborted()
      : std::runtime_error(
            "the controlled scheduler ended this trial: every role thread was blocked") {}
};

namespace detail {

//! What the operation at a schedule point does to its object: for strategies that reason about
//! conflicts (pos, dfs) and the weak memory model.
enum class Access : std::uint32_t {
  none,    // a plain point: Context::point()
  read,    // an atomic load
  write,   // an atomic store
  update,  // an atomic read-modify-write
  sync,    // a lock, unlock, notify, queue, semaphore or barrier operation
  yield,   // the thread offers to let others run (spin loops, sleep)
  wait,    // a condition wait or a wake from one: (re)takes an unnamed mutex
};

struct SchedHooks;  // what `controlled` provides (harness/src/runtime)

//! True once a role of this process ran under a strategy with points; tested first, so under `none`
//! an atomic costs one load of a line never written.
inline std::atomic<bool> points_enabled{false};

}  // namespace detail
}  // namespace strain
