#pragma once
// A team of threads created once per case and reused across trials. Trials
// start together from a spinning start barrier (a generation counter), as
// jcstress does: contention is high and a trial costs no thread creation.
// The last thread to finish a trial runs `between` (check the trial, set up
// the next) while the others spin, then sleep on the generation's futex
// (see thread_team.cpp for why never a yield); only sleepers are woken.

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/apart.hpp"

namespace strain::exec {

class ThreadTeam {
 public:
  //! Runs the role of thread `index` for the current trial; true when the
  //! role flagged the trial (its context recorded a failure).
  using Body = bool (*)(void* arg, unsigned index) noexcept;
  //! Ends the trial and prepares the next; false stops the team. `flagged`:
  //! some role's body returned true this trial (false: no role's context
  //! needs reading, each a line from another core's cache).
  using Between = bool (*)(void* arg, bool flagged) noexcept;

  ThreadTeam(unsigned threads, Body body, Between between, void* arg);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  //! Releases the first trial (already prepared by the caller) and returns
  //! once `between` returned false, or after `wait_s` seconds with false.
  void start();
  bool wait_done(double wait_s);

  //! Abandons the threads without joining, for a trial that hangs: they are
  //! left running and this object must then be leaked, never destroyed.
  void abandon() { abandoned_ = true; }

  //! The team's threads, in index order (for stack capture).
  std::vector<pthread_t> native_handles() {
    std::vector<pthread_t> out;
    for (auto& t : threads_) out.push_back(t.native_handle());
    return out;
  }

 private:
  void worker(unsigned index);
  void release_next();

  unsigned n_;
  Body body_;
  Between between_;
  void* arg_;
  // What every trial touches, on one line, as ProcessControl's (see
  // process_team.hpp) and the native team's: speed_bench threads_none/2,
  // 3 runs each on the noisy 2-core VM, 0.62-0.87 M trials/s with a line
  // each, 0.70-1.08 M with one.
  alignas(core::kApart) std::atomic<std::uint32_t> generation_{0};  // a futex word: wraps
  std::atomic<unsigned> remaining_;
  std::atomic<unsigned> sleepers_{0};
  std::atomic<std::uint32_t> flagged_{0};  // a role's body returned true this trial
  // 1 once `between` returned false: a futex word, which wait_done() sleeps
  // on rather than polling (a 2 ms poll cost every short case ~1-2 ms).
  alignas(core::kApart) std::atomic<std::uint32_t> done_{0};
  std::atomic<bool> stop_{false};
  bool abandoned_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace strain::exec
