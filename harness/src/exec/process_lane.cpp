#include "exec/process_lane.hpp"

#include <chrono>

#include "exec/case_state.hpp"

namespace strain::exec {

namespace {

std::int64_t to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

bool hand_back(CaseState& cs, LaneTally::Reason why) {
  cs.fresh_clock();  // the time of the failure (a pass that ends the run needs none)
  cs.push(*cs.lane);
  cs.lane->ended_ns.store(to_ns(cs.ended), std::memory_order_relaxed);
  cs.lane->reason.store(why, std::memory_order_relaxed);
  return false;  // published by the team's hand-back (seq_cst)
}

// Sets up the next trial and publishes the counters (once, whichever way).
bool set_up_next(CaseState& cs) {
  cs.begin_trial();
  if (!cs.desc->construct(cs.state, *cs.main)) return hand_back(cs, LaneTally::kSetupFailed);
  cs.set_up_done();
  cs.push(*cs.lane);
  return true;
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
  cs.desc->check(cs.state, *cs.main);
  cs.desc->destroy(cs.state);
  cs.accumulate_shown();
  if (!cs.clean_pass()) return hand_back(cs, LaneTally::kChecked);
  if (!cs.record(model::Outcome::pass, {})) return hand_back(cs, LaneTally::kStopped);
  return set_up_next(cs);
}

bool lane_resume(void* arg, bool) noexcept {
  CaseState& cs = *static_cast<CaseState*>(arg);
  cs.pull(*cs.lane);  // the worker's thread recorded what was handed back
  return set_up_next(cs);
}

bool take_back(CaseState& cs) {
  const LaneTally& t = *cs.lane;
  cs.pull(t);
  cs.ended =
      Clock::time_point(std::chrono::nanoseconds(t.ended_ns.load(std::memory_order_relaxed)));
  cs.clock_fresh = true;
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
