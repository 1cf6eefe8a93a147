#pragma once
// The one watchdog of a case: it watches the trial counters and says when
// one trial has run past a limit. The in-process thread team (a hang at the
// spec's timeout), the process team (a role process that never finishes
// its trial) and the parent over a worker (a backstop for a worker that
// cannot report its own hang) all watch with it.

#include <chrono>
#include <cstdint>

namespace strain::exec {

class TrialWatch {
 public:
  using Clock = std::chrono::steady_clock;

  //! Watching starts at `now`, with trial `current` in progress.
  explicit TrialWatch(double limit_s, Clock::time_point now = Clock::now(),
                      std::uint64_t current = 0)
      : current_(current),
        limit_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit_s))),
        since_(now) {}

  //! Notes the counters: true when the trial in progress (`current`) or the
  //! trials' progress (LiveCounters::progress()) changed since the last look.
  bool progressed(std::uint64_t current, std::uint64_t progress, Clock::time_point now) {
    if (current == current_ && progress == progress_) return false;
    current_ = current;
    progress_ = progress;
    since_ = now;
    return true;
  }
  //! Starts the limit again at `now`: the harness, not the trial, is busy.
  void rest(Clock::time_point now) { since_ = now; }
  //! True when the counters have not changed for longer than the limit.
  bool overdue(Clock::time_point now) const { return now - since_ > limit_; }
  //! Both: the trial in progress has run past the limit.
  bool expired(std::uint64_t current, std::uint64_t progress, Clock::time_point now) {
    return !progressed(current, progress, now) && overdue(now);
  }
  //! The trial watched: the one that expired.
  std::uint64_t trial() const { return current_; }
  double limit_s() const { return std::chrono::duration<double>(limit_).count(); }

 private:
  std::uint64_t current_ = 0, progress_ = 0;
  Clock::duration limit_;
  Clock::time_point since_;
};

}  // namespace strain::exec
