#pragma once
// What running a case produced: data, never exceptions (STYLE.md, point 7).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/outcome.hpp"

namespace strain::exec {

//! The first failing trial of a case, with what is needed to replay it.
struct TrialFailure {
  std::uint64_t trial = 0;  // index within the case
  std::uint64_t seed = 0;   // the trial's own seed
  check::Outcome outcome = check::Outcome::pass;
  std::string message;  // e.g. the violated invariant with its values
  double at_s = 0.0;    // seconds from the case's start
  std::string replay;   // a command line that runs this trial again
  //! Under strategy `controlled`: the digest of the trial's interleaving
  //! (every step's thread and operation), the same on every replay.
  std::string schedule{};
};

//! A ThreadSanitizer report seen in a case, de-duplicated by signature.
struct SanitizerReport {
  std::string kind;       // e.g. "data race", "lock-order-inversion (potential deadlock)"
  std::string outcome;    // "race", "deadlock" or "crash"
  std::string signature;  // stable across runs: kind and the top frames of each access
  int count = 1;          // how many times this signature was seen
  std::string brief;      // kind, each access with its top frames, the location
  std::string text;       // the report as TSan printed it (bounded)
};

//! The result of one case.
struct CaseResult {
  std::string id;
  std::string spec_name;
  std::string spec_path;
  std::string case_name;
  std::string plugin;
  std::vector<std::pair<std::string, std::string>> matrix;
  std::uint64_t spec_seed = 0;  // the seed trial seeds derive from
  check::Outcome expected = check::Outcome::pass;
  bool met = false;  // the verdict
  std::uint64_t trials = 0;
  double elapsed_s = 0.0;
  check::OutcomeCounts outcomes{};
  std::optional<TrialFailure> first_failure;
  //! Why the case stopped: "trials", "budget", "failure", or "error" when it
  //! could not run at all (then `note` says why).
  std::string stopped_by;
  std::string note;
  //! What the plugin printed (stdout and stderr of the case's worker),
  //! bounded: the head and the tail are kept, `output_bytes` counts it all.
  std::string output;
  std::uint64_t output_bytes = 0;
  //! The metrics the last trial recorded (name, value), e.g. a measured
  //! speedup; empty when no trial finished.
  std::vector<std::pair<std::string, double>> metrics;
  //! ThreadSanitizer reports found in the output (tsan build).
  std::vector<SanitizerReport> sanitizer_reports;
  //! A replay under strategy `controlled`: how many different interleavings
  //! its repetitions ran (1 when the replay is exact); 0 otherwise.
  std::uint64_t schedules = 0;

  double trials_per_s() const {
    return elapsed_s > 0 ? static_cast<double>(trials) / elapsed_s : 0.0;
  }
};

//! Live progress of a running case.
struct CaseProgress {
  std::string id;
  std::uint64_t trials = 0;
  std::uint64_t planned_trials = 0;
  double elapsed_s = 0.0;
  double budget_s = 0.0;
  check::OutcomeCounts outcomes{};
};

//! What a run is about to do.
struct RunInfo {
  std::string build;  // "plain" or "tsan"
  std::uint64_t seed = 0;
  bool seed_overridden = false;
  std::vector<std::string> case_ids;
  std::string timestamp;  // ISO 8601, UTC
};

//! What a run did.
struct RunSummary {
  std::string build;
  std::uint64_t seed = 0;
  bool seed_overridden = false;
  std::string timestamp;
  double elapsed_s = 0.0;
  std::vector<CaseResult> results;
  bool all_met() const {
    for (const auto& r : results)
      if (!r.met) return false;
    return true;
  }
};

}  // namespace strain::exec
