#pragma once
// The process topology: each role instance runs in its own process, forked
// once per case and reused across trials. Trials start from a start barrier
// in shared memory (a generation counter), so a trial costs no fork.
// The worker's own thread coordinates: it prepares and checks each trial
// while the role processes wait. Every wait spins only while the machine
// has a core for each waiter, then sleeps on a shared futex (never a
// yield, which behind busy processes gives the slice away for milliseconds).

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
  // Futex words, shared (no FUTEX_PRIVATE_FLAG): the roles sleep on
  // `generation` (wrapping), the coordinator on `remaining`.
  alignas(64) std::atomic<std::uint32_t> generation{0};
  alignas(64) std::atomic<std::uint32_t> remaining{0};
  alignas(64) std::atomic<std::uint32_t> stop{0};
  std::atomic<std::uint32_t> role_sleepers{0};      // roles asleep on generation
  std::atomic<std::uint32_t> coordinator_sleeps{0};  // 1 while it sleeps on remaining
  //! How a waiter waits after a short spin, sampled by the coordinator
  //! (core/spare_cores.hpp): kSpin while the machine has a core for each
  //! role and the coordinator; kYield when it has not but nothing outside
  //! the team is runnable (a yield then hands the core to a member of the
  //! team, which a futex would wake far slower); kSleep otherwise (beside
  //! busy processes a yield gives the slice away for milliseconds).
  enum Wait : std::uint32_t { kSleep, kSpin, kYield };
  std::atomic<std::uint32_t> wait{kSpin};
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

  //! The role processes (a dead one's pid is -1).
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  [[noreturn]] void role_main(unsigned index);
  //! Starts the next generation and wakes the roles asleep on it.
  void release();
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
