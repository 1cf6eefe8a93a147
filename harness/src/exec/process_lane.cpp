#include "exec/process_lane.hpp"

#include <chrono>

#include "exec/case_state.hpp"

namespace strain::exec {

namespace {

std::int64_t to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Hands the step back to the worker's thread: about bundle `bundle` of a
// batch (0 without one), going on at `resume_at` when resumed.
bool hand_back(CaseState& cs, LaneTally::Reason why, std::uint32_t bundle = 0,
               std::uint32_t resume_at = LaneTally::kSetUp) {
  cs.fresh_clock();  // the time of the failure (a pass that ends the run needs none)
  cs.push(*cs.lane);
  cs.lane->ended_ns.store(to_ns(cs.ended), std::memory_order_relaxed);
  cs.lane->reason.store(why, std::memory_order_relaxed);
  cs.lane->bundle.store(bundle, std::memory_order_relaxed);
  cs.lane->resume_at.store(resume_at, std::memory_order_relaxed);
  return false;  // published by the team's hand-back (seq_cst)
}

// Sets up the next trial, or batch, and publishes the counters (once,
// whichever way). A set-up that fails after a batch's first ends the batch
// there (CaseState::prepare_rest) and is handed back once it ran.
bool set_up_next(CaseState& cs) {
  if (!cs.set_up_batch()) return hand_back(cs, LaneTally::kSetupFailed);
  cs.push(*cs.lane);
  return true;
}

// Checks the trials of the batch from bundle `first` on (the one trial, with
// no batch), then sets up the next.
bool check_from(CaseState& cs, std::uint32_t first) {
  for (std::uint32_t j = first; j < *cs.batch_len; ++j) {
    if (cs.batch > 1) cs.select_to_check(j);
    cs.desc->check(cs.state, *cs.main);
    cs.desc->destroy(cs.state);
    cs.accumulate_shown();
    if (!cs.clean_pass()) return hand_back(cs, LaneTally::kChecked, j, j + 1);
    if (!cs.record(model::Outcome::pass, {})) {
      cs.destroy_after(j);
      return hand_back(cs, LaneTally::kStopped, j);
    }
    // Counted where the worker's thread finds it if this process dies in
    // the next trial's check (without a batch, set_up_next() publishes).
    if (cs.batch > 1) cs.push(*cs.lane);
  }
  if (cs.batch_setup_failed) {
    cs.batch_setup_failed = false;
    return hand_back(cs, LaneTally::kSetupFailed, *cs.batch_len);
  }
  return set_up_next(cs);
}

}  // namespace

bool lane_fits(const CaseState& cs) {
  return cs.lane != nullptr && !cs.controller && !cs.site && !cs.plan.only_trial && !cs.search &&
         !cs.plan.tsan_build;
}

bool lane_between(void* arg, bool flagged) noexcept {
  CaseState& cs = *static_cast<CaseState*>(arg);
  cs.roles_flagged = flagged;
  // This process's copy of the counters is stale: the trials since the
  // coordinator last had them were counted in the arena.
  cs.pull(*cs.lane);
  return check_from(cs, 0);
}

bool lane_resume(void* arg, bool) noexcept {
  CaseState& cs = *static_cast<CaseState*>(arg);
  cs.pull(*cs.lane);  // the worker's thread recorded what was handed back
  const std::uint32_t at = cs.lane->resume_at.load(std::memory_order_relaxed);
  return at == LaneTally::kSetUp ? set_up_next(cs) : check_from(cs, at);
}

bool take_back(CaseState& cs) {
  const LaneTally& t = *cs.lane;
  cs.pull(t);
  cs.ended =
      Clock::time_point(std::chrono::nanoseconds(t.ended_ns.load(std::memory_order_relaxed)));
  cs.clock_fresh = true;
  // The trial handed back: its bundle's contexts, metrics and state.
  if (cs.batch > 1) cs.select(t.bundle.load(std::memory_order_relaxed));
  bool go_on = false;
  switch (t.reason.load(std::memory_order_relaxed)) {
    case LaneTally::kStopped:
      break;
    case LaneTally::kSetupFailed:
      go_on = cs.record_setup_failure();
      break;
    default:
      // What finish() does after the check, but the lane accumulated the
      // shown metrics already.
      cs.live->classifying.store(1, std::memory_order_relaxed);
      cs.classify();
      cs.live->classifying.store(0, std::memory_order_relaxed);
      go_on = cs.stopped_by == model::StopReason::none;
      break;
  }
  cs.push(*cs.lane);
  return go_on;
}

}  // namespace strain::exec
