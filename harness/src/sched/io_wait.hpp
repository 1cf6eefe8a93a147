#pragma once
// A wait of a steered thread for I/O (a read of an empty pipe, a poll, an
// epoll_wait on an eventfd, an accept): what makes it ready is another
// thread's write, or the world outside the process, neither of which the
// scheduler is told of. So a thread blocked on I/O is asked at every
// decision of the scheduler whether its descriptors are ready (a poll with
// no timeout, only while such a thread waits), and when every thread of the
// trial is blocked the scheduler waits for them in the kernel: time does not
// pass inside a controlled trial, but it does for the world outside it.
//
// The wait lives on the waiting thread's stack while it is parked
// (Controller::block_io).

#include <cstdint>
#include <string>

namespace strain::sched {

class IoWait {
 public:
  //! Whether the wait is over: a descriptor is ready (or closed, or in
  //! error: the call then returns at once). Never blocks.
  virtual bool ready() const = 0;
  //! What it waits for, for reports: "fd 5 (a pipe) to be readable".
  virtual std::string what() const = 0;
  //! CLOCK_MONOTONIC nanoseconds at which the call's own timeout ends the
  //! wait (poll's, epoll_wait's, select's); -1 for none.
  std::int64_t deadline_ns = -1;
  //! CLOCK_MONOTONIC now, in nanoseconds (the deadline's clock).
  static std::int64_t now_ns();

 protected:
  IoWait() = default;
  ~IoWait() = default;
  IoWait(const IoWait&) = default;
  IoWait& operator=(const IoWait&) = default;
};

}  // namespace strain::sched
