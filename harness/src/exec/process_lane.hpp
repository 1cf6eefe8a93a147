#pragma once
// The process topology's between-trial step in a role process: role
// process 0, once every role process finished a trial, checks it and, when
// it passed, sets up the next and starts it, with no third party in the
// trial loop (issue 12: the
// worker's own thread between every two trials cost three busy parties on
// two cores, 0.04x a native pair of processes). Anything but a clean pass,
// and the end of the run, goes back to the worker's thread, which has the
// private half of the case (the failure's message, the replay line, the
// reports): the lane hands the step back with the reason, the worker
// records it (take_back()) and tells role process 0 to go on. Role process
// 0 runs every check, destroy and set-up after trial 0's (made before the
// fork), so a plugin's set-up and check meet on one heap, as they did when
// the worker ran them.

#include <atomic>
#include <cstdint>

namespace strain::exec {

struct CaseState;

//! The trial counters while role processes run the between-trial step, in
//! the arena (shared with them). One writer at a time: the lane while the
//! team runs, the worker's thread after the team handed a trial back.
struct LaneTally {
  std::atomic<std::uint64_t> next_trial{0};
  std::atomic<std::uint64_t> run_count{0};
  std::atomic<std::uint64_t> begun{0};
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint32_t> stopped_by{0};  // a model::StopReason
  //! When the trial handed back ended (steady clock, ns).
  std::atomic<std::int64_t> ended_ns{0};
  //! Why the lane handed the step back.
  enum Reason : std::uint32_t {
    kChecked,      // checked and destroyed, not a clean pass: classify it
    kStopped,      // a pass that ended the run (trials or budget)
    kSetupFailed,  // the next trial's set-up failed: record it, set up another
  };
  std::atomic<std::uint32_t> reason{kChecked};
  //! In a batch (CaseState::batch): the bundle the hand-back is about, and
  //! where the lane goes on when resumed (the next bundle to check, or
  //! kSetUp: set up the next batch).
  std::atomic<std::uint32_t> bundle{0};
  static constexpr std::uint32_t kSetUp = ~0u;
  std::atomic<std::uint32_t> resume_at{kSetUp};
};

//! Whether a case can check and set up its trials in a role process: only
//! what shared memory carries may change there. Not under `controlled` (a
//! scheduler in the worker), with a site fixture (a server in the worker),
//! in a replay (its warm-up trials and trace), or in a ThreadSanitizer build
//! (each process counts its own reports).
bool lane_fits(const CaseState& cs);

//! ProcessTeam's `between`, in role process 0 after a trial: true when it
//! set up the next trial, false when it handed the step back.
bool lane_between(void* arg, bool flagged) noexcept;
//! ProcessTeam's `resume`, in role process 0 once the worker's thread took
//! what it handed back: sets up the next trial (false: its set-up failed,
//! handed back too). The set-up stays in role process 0 with the check and
//! the destroy, so what a plugin's set-up allocates on that process's heap
//! (a member only set-up and check use) is freed where it was allocated.
bool lane_resume(void* arg, bool flagged) noexcept;

//! On the worker's thread, once the lane handed the step back: records
//! what the lane left (the failure, the end of the run, the set-up that
//! failed). True: the run goes on (ProcessTeam::resume()).
bool take_back(CaseState& cs);

}  // namespace strain::exec
