#pragma once
// One owner for running a case in this process: CaseRun sets it up (the
// state arena, the contexts, the scheduler, the site fixture), runs its
// trials on a thread team or a process team under one watchdog, tears it
// down and says what happened. Its steps are small and named, as
// google/benchmark's BenchmarkRunner names DoOneRepetition and
// DoNIterations. A case in a worker process (isolated_runner.hpp) runs
// through the same object there.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/live_counters.hpp"
#include "model/result.hpp"
#include "model/run_plan.hpp"
#include "spec/spec.hpp"

namespace strain::exec {

struct CaseState;
class ThreadTeam;
struct ProcessControl;

//! What a run wants to hear while a case runs, and where the live counters
//! go: nothing a worker process could be handed as data.
struct CaseHooks {
  //! Called from the calling thread about every 100 ms while a case runs.
  std::function<void(const model::CaseProgress&)> progress;
  //! Called once, from whichever thread classified it, at the first failure.
  std::function<void(const model::TrialFailure&)> on_failure;
  //! Where the live counters go (shared with a parent process); null: private.
  LiveCounters* live = nullptr;
};

//! The plan that runs `c` in repetition `repetition` of a run whose --seed
//! is `run_seed`: the case's identity and plugin library, its seed resolved
//! (model::resolve_seed) and the run's --strategy. The rest of the plan is
//! the caller's to fill.
model::RunPlan plan_for(const spec::Case& c, std::optional<std::uint64_t> run_seed,
                        std::uint64_t repetition = 0);

//! A result that says which case it is of (ids, paths, matrix point, spec
//! seed, the build's expectation) and nothing it ran yet.
model::CaseResult base_result(const spec::Case& c, std::uint64_t spec_seed, bool tsan_build);

//! Runs `c` as `plan` says and returns its result with a verdict. Never
//! throws for a scenario's failure: that is data in the result.
model::CaseResult run_case(const spec::Case& c, const model::RunPlan& plan,
                           const CaseHooks& hooks = {});

//! The run of one case. Use run_case(); the class is here to be read: its
//! members are the steps, in order.
class CaseRun {
 public:
  CaseRun(const spec::Case& c, const model::RunPlan& plan, const CaseHooks& hooks);
  ~CaseRun();
  CaseRun(const CaseRun&) = delete;
  CaseRun& operator=(const CaseRun&) = delete;

  model::CaseResult run();

 private:
  //! Lays out the state, the contexts and the scheduler. False: the case
  //! cannot run (result_ says why).
  bool set_up();
  void make_arena(unsigned n, bool processes);
  void make_contexts(unsigned n);
  bool make_controller();
  //! The trials, on the team the topology asks for.
  void run_threads(unsigned n);
  void run_processes(unsigned n, ProcessControl* control);
  //! `quiet_s`: how long no schedule point was passed, as the watchdog saw.
  std::string hang_message(ThreadTeam& team, std::uint64_t trial, double quiet_s) const;
  //! Ends the case with trial `t` as `outcome`, leaving its threads where
  //! they are (on memory leaked with them).
  void abandon_trial(std::unique_ptr<ThreadTeam> team, model::Outcome outcome, std::uint64_t t,
                     std::string message);
  //! The case could not start its role threads or processes.
  //! `what`: "threads", "fibers" or "processes".
  void cannot_start(unsigned n, const char* what, const std::exception& e);
  //! The result from the state, after the last trial.
  void collect();
  //! How long the watching thread may wait before it looks again, and its
  //! look at the budget (CaseState::budget_spent).
  double watch_slice() const;
  void watch_budget();
  void report_progress(std::uint64_t trials_done);
  void error(std::string why);

  const spec::Case& c_;
  model::RunPlan plan_;
  CaseHooks hooks_;
  std::unique_ptr<CaseState> cs_;
  model::CaseResult result_;
  bool done_ = false;  // result_ is final (an error, or an abandoned trial)
};

}  // namespace strain::exec
