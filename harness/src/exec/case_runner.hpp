#pragma once
// Runs the trials of one case on a thread team and classifies each trial.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "exec/live_counters.hpp"
#include "model/result.hpp"
#include "spec/spec.hpp"

namespace strain::exec {

struct RunOptions {
  bool keep_going = false;                  // count every trial, not stop at the first failure
  std::optional<std::uint64_t> seed;        // replaces the spec's seed
  std::optional<std::uint64_t> only_trial;  // replay: run just this trial index...
  std::uint64_t repeat = 1;                 // ...this many times
  bool tsan_build = false;                  // which expectation applies
  //! Called from the calling thread about every 100 ms while a case runs.
  std::function<void(const model::CaseProgress&)> progress;
  //! Called once, from whichever thread classified it, at the first failure.
  std::function<void(const model::TrialFailure&)> on_failure;
  //! Where the live counters go (shared with a parent process); null: private.
  LiveCounters* live = nullptr;
  //! Strategy `controlled/pct`: the k of every trial instead of the learned
  //! one (a replay line passes the k its trial ran with).
  std::optional<std::uint64_t> steps;
  //! Strategy `controlled`: follow the decisions of this trace file...
  std::string trace_in;
  //! ...and/or write the first trial's decisions and interleaving here.
  std::string trace_out;
  //! How a printed command starts: the strain to run and, when it is not
  //! the default, `--plugin-path P` (absolute), so that a replay line works
  //! pasted anywhere. Unquoted words; empty means {"strain"}.
  std::vector<std::string> command_prefix{};
  //! --keep-going past a failure that ended a worker: the index of the first
  //! trial this worker runs, and the part of the case's budget left.
  std::uint64_t first_trial = 0;
  std::optional<double> budget_s;
};

//! The seed of trial `trial` of the case `case_id` under spec seed `seed`.
std::uint64_t trial_seed(std::uint64_t spec_seed, const std::string& case_id, std::uint64_t trial);

//! The command that replays one trial, quoted for the shell: `prefix`
//! (RunOptions::command_prefix), the case id, the spec seed, the trial and
//! the spec's absolute path; `steps` (PCT's learned k, if not 0) is passed
//! on with --steps.
//! A result that says which case it is of (ids, paths, matrix point, spec
//! seed, the build's expectation) and nothing it ran yet.
model::CaseResult base_result(const spec::Case& c, std::uint64_t spec_seed, bool tsan_build);

std::string replay_command(const spec::Case& c, std::uint64_t spec_seed, std::uint64_t trial,
                           std::uint64_t steps = 0,
                           const std::vector<std::string>& prefix = {});

//! The verdict: a case expecting pass meets it when nothing failed; a case
//! expecting a failure outcome meets it when that outcome was seen and no
//! other kind of failure was.
bool verdict(const model::CaseResult& r);

//! Runs `c` and returns its result with a verdict. Never throws for a
//! scenario's failure: that is data in the result.
model::CaseResult run_case(const spec::Case& c, const RunOptions& options);

}  // namespace strain::exec
