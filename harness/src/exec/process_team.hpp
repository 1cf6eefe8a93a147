#pragma once
// The process topology: each role instance runs in its own process, forked
// once per case and reused across trials. Trials start from a start barrier
// in shared memory (a generation counter), so a trial costs no fork.
// Role process 0 runs `between` once every role process finished a trial
// (check it, set up the next) and starts the next trial itself; the
// worker's own thread steps in only when `between` hands the trial back
// (exec/process_lane.hpp), or for every trial when there is no `between`.
// Meanwhile it watches for a role process that died and a trial that hangs.
// Every wait spins only while the machine has a core for each waiter, then
// sleeps on a shared futex (never a yield, which behind busy processes
// gives the slice away for milliseconds).

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/apart.hpp"
#include "core/brief_spin.hpp"
#include "core/spin_wait.hpp"
#include "exec/thread_team.hpp"
#include "exec/trial_stamp.hpp"

namespace strain::exec {

//! The start barrier, in memory shared with the role processes.
struct ProcessControl {
  // Futex words, shared (no FUTEX_PRIVATE_FLAG): the roles sleep on
  // `generation` (wrapping), role process 0 on `remaining`, the coordinator
  // on `handed_back`.
  // What every trial touches, on one line, as a native program would have
  // it: each line a trial moves between cores costs ~100-200 ns on the
  // 2-core VM, and a trial of the native pair in speed_bench is ~450 ns.
  alignas(core::kApart) std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> remaining{0};
  std::atomic<std::uint32_t> role_sleepers{0};  // roles asleep on generation
  std::atomic<std::uint32_t> leader_sleeps{0};  // 1 while role process 0 sleeps on remaining
  std::atomic<std::uint32_t> flagged{0};        // a role's body returned true this trial
  TrialStamp stamp;  // what the next trial's roles are told (exec/trial_stamp.hpp)
  //! Whose turn the step between trials is: the team's, the coordinator's
  //! (a trial handed back), or role process 0's again (resume()); kStopped:
  //! the team is being stopped.
  enum Turn : std::uint32_t { kTeam, kCoordinator, kResume, kStopped };
  alignas(core::kApart) std::atomic<std::uint32_t> handed_back{kTeam};
  std::atomic<std::uint32_t> coordinator_sleeps{0};  // 1 while it sleeps on handed_back
  alignas(core::kApart) std::atomic<std::uint32_t> stop{0};
  //! How a waiter waits after a short spin (a core::Waiting), sampled by
  //! the coordinator (core/spare_cores.hpp): spin while the machine has a
  //! core for each waiter; yield when it has not but nothing outside the
  //! team is runnable (a yield then hands the core to a member of the team,
  //! which a futex would wake far slower); brief when the team fits the
  //! cores but other programs compete for them; sleep otherwise (beside busy
  //! processes a yield gives the slice away for milliseconds).
  std::atomic<std::uint32_t> wait{static_cast<std::uint32_t>(core::Waiting::spin)};
  //! 1 while role process 0 runs `between`: a crash or hang there is the
  //! check's or the set-up's, not the role's. Written twice a trial by
  //! role process 0 alone: a line of its own.
  alignas(core::kApart) std::atomic<std::uint32_t> between_by{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the start barrier is shared across processes");

class ProcessTeam {
 public:
  //! How a wait ended: the team handed a trial back, a role process died,
  //! a trial ran past its timeout, or the wait's slice passed.
  enum class End { done, died, timeout, running };

  //! Forks `n` role processes; process k runs body(arg, k) once per trial,
  //! and process 0 runs between(arg) after each trial when it is not null:
  //! true, it started the next trial itself; false, it handed the trial
  //! back. `control` must live in MAP_SHARED memory, as must whatever `arg`
  //! lets the roles write.
  //! After a hand-back and resume(), process 0 runs resume(arg): true, it
  //! starts the next trial; false, it hands the trial back again.
  ProcessTeam(unsigned n, ThreadTeam::Body body, ThreadTeam::Between between,
              ThreadTeam::Between resume, void* arg, ProcessControl* control);
  //! Stops the role processes and reaps them (killing any that hang).
  ~ProcessTeam();
  ProcessTeam(const ProcessTeam&) = delete;
  ProcessTeam& operator=(const ProcessTeam&) = delete;

  //! Starts a trial: the first, or without `between` the next after one was
  //! handed back.
  void start_trial();
  //! With `between`, after a hand-back: role process 0 goes on (resume).
  void resume();
  //! Waits until a trial is handed back (`done`), for at most `slice_s`
  //! (`running`). On `died`, `why` names the process and how it ended and
  //! `index` its role index; on `timeout`, one trial ran past `timeout_s`.
  End wait(double timeout_s, double slice_s, std::string& why, unsigned& index);
  //! Whether role process 0 is running `between` (or died or hangs there).
  bool in_between() const;

  //! After a `timeout`: the role indices whose process has not finished the
  //! trial, each with its pid.
  std::vector<std::pair<unsigned, pid_t>> still_running() const;

  //! The role processes (a dead one's pid is -1).
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  [[noreturn]] void role_main(unsigned index);
  //! Starts the next generation and wakes the roles asleep on it.
  void release();
  bool reap_dead(std::string& why, unsigned& index);

  //! Role process 0, after its part of a trial: waits for the others, then
  //! runs `between` and starts the next trial, or hands the trial back.
  void wait_for_the_others();
  void end_of_trial();
  void wait_for_the_coordinator();
  void hand_back();

  unsigned n_;
  ThreadTeam::Body body_;
  ThreadTeam::Between between_;
  ThreadTeam::Between resume_;
  void* arg_;
  // The hang watch: the generation last seen to move, and when (0: not yet
  // looked at; the timeout then counts from the first look, at most a nap
  // of 10 ms after the trial began).
  std::uint32_t watched_generation_ = 0;
  std::int64_t watched_at_ns_ = 0;
  ProcessControl* control_;
  // Whether brief spins pay, in each role process (its copy, from the fork).
  core::BriefSpin brief_;
  std::vector<pid_t> pids_;
  // The generation each role process last finished, in memory shared with
  // them (one per role, mapped by the team): a hang names who is stuck.
  // A line each: role processes store theirs every trial.
  struct alignas(core::kApart) Finished {
    std::atomic<std::uint64_t> generation{0};
  };
  Finished* finished_ = nullptr;
};

}  // namespace strain::exec
