#pragma once
// The process topology: each role instance runs in its own process, forked
// once per case and reused across trials. Trials start from a start barrier
// in shared memory (a generation counter), so a trial costs no fork.
// The worker's own thread coordinates: it prepares and checks each trial
// while the role processes wait.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "exec/thread_team.hpp"

namespace strain::exec {

//! The start barrier, in memory shared with the role processes.
struct ProcessControl {
  alignas(64) std::atomic<std::uint64_t> generation{0};
  alignas(64) std::atomic<std::uint32_t> remaining{0};
  alignas(64) std::atomic<std::uint32_t> stop{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the start barrier is shared across processes");

class ProcessTeam {
 public:
  //! How a trial ended.
  enum class End { done, died, timeout };

  //! Forks `n` role processes; process k runs body(arg, k) once per trial.
  //! `control` must live in MAP_SHARED memory, as must whatever `arg`
  //! lets the roles write.
  ProcessTeam(unsigned n, ThreadTeam::Body body, void* arg, ProcessControl* control);
  //! Stops the role processes and reaps them (killing any that hang).
  ~ProcessTeam();
  ProcessTeam(const ProcessTeam&) = delete;
  ProcessTeam& operator=(const ProcessTeam&) = delete;

  //! Runs one trial. On `died`, `why` names the process and how it ended
  //! and `index` its role index; on `timeout`, the trial ran past
  //! `timeout_s`.
  End run_trial(double timeout_s, std::string& why, unsigned& index);

  //! After a `timeout`: the role indices whose process has not finished the
  //! trial, each with its pid.
  std::vector<std::pair<unsigned, pid_t>> still_running() const;

 private:
  [[noreturn]] void role_main(unsigned index);
  bool reap_dead(std::string& why, unsigned& index);

  unsigned n_;
  ThreadTeam::Body body_;
  void* arg_;
  ProcessControl* control_;
  std::vector<pid_t> pids_;
  // The generation each role process last finished, in memory shared with
  // them (one per role, mapped by the team): a hang names who is stuck.
  std::atomic<std::uint64_t>* finished_ = nullptr;
};

}  // namespace strain::exec
