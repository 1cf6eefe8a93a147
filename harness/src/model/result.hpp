#pragma once
// What running a case produced: data, never exceptions (STYLE.md, point 7).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/outcome.hpp"
#include "model/stop_reason.hpp"

namespace strain::model {

//! The first failing trial of a case, with what is needed to replay it.
struct TrialFailure {
  std::uint64_t trial = 0;  // index within the case
  std::uint64_t seed = 0;   // the trial's own seed
  Outcome outcome = Outcome::pass;
  std::string message;  // e.g. the violated invariant with its values
  double at_s = 0.0;    // seconds from the case's start
  std::string replay;   // a command line that runs this trial again
  //! Under strategy `controlled`: the digest of the trial's interleaving
  //! (every step's thread and operation), the same on every replay.
  std::string schedule{};
};

//! One frame of a sanitizer report's stack, as reports carry it.
struct SanitizerFrame {
  std::string function;  // empty when TSan printed <null>
  std::string file;      // as TSan printed it (an absolute path, usually)
  int line = 0;          // 0 when unknown
};

//! One access of a race (or one edge of a lock-order cycle) with its top
//! user frames.
struct SanitizerAccess {
  std::string op;       // "read", "write", "atomic read", "atomic write" or "lock"
  int size = 0;         // bytes; 0 for a lock-order edge
  std::string address;  // e.g. "0x7b0c00000010"; empty when not printed
  std::string thread;   // "T1" or "main thread"
  std::vector<std::string> mutexes_held;
  std::vector<SanitizerFrame> frames;
};

//! A ThreadSanitizer report seen in a case, de-duplicated by signature.
struct SanitizerReport {
  std::string kind;       // e.g. "data race", "lock-order-inversion (potential deadlock)"
  std::string outcome;    // "race", "deadlock" or "crash"
  std::string signature;  // stable across runs and checkouts: kind, top frames of each access
  int count = 1;          // how many times this signature was seen
  std::string brief;      // kind, each access with its top frames, the location
  std::string text;       // the report as TSan printed it (bounded)
  // The parsed report, for tools reading JSON (default initialisers keep
  // the aggregate initialisations of the six fields above warning-free).
  std::vector<SanitizerAccess> accesses{};
  std::string location{};              // the "Location is ..." line
  std::vector<std::string> mutexes{};  // the lock-order cycle and where each mutex was made
  std::vector<std::string> threads{};  // where each thread of the report was created
};

//! A metric the spec asked to show (`show:`), aggregated over the trials
//! that recorded it.
struct Measured {
  std::string name;
  std::uint64_t count = 0;  // trials that recorded it
  double mean = 0.0;
  double min = 0.0;
  double max = 0.0;
};

//! How far the systematic search of strategy controlled/dfs got: the
//! interleavings it ran (each a distinct one, those a sleep set proved
//! redundant not counted) and whether that was every one of them, within
//! the preemption bound if there is one.
struct Exploration {
  std::uint64_t interleavings = 0;
  bool complete = false;
  std::optional<std::int64_t> bound;  // at most this many preemptions
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
  Outcome expected = Outcome::pass;
  //! `expect: { exhaustive: true }`: met only by a complete exploration.
  bool expected_exhaustive = false;
  bool met = false;  // the verdict
  std::uint64_t trials = 0;
  double elapsed_s = 0.0;
  OutcomeCounts outcomes{};
  std::optional<TrialFailure> first_failure;
  //! Why the case stopped; `error` when it could not run at all (then
  //! `note` says why).
  StopReason stopped_by = StopReason::none;
  std::string note;
  //! What the plugin printed (stdout and stderr of the case's worker),
  //! bounded: the head and the tail are kept, `output_bytes` counts it all.
  std::string output;
  std::uint64_t output_bytes = 0;
  //! The metrics the last trial recorded (name, value), e.g. a measured
  //! speedup; empty when no trial finished.
  std::vector<std::pair<std::string, double>> metrics;
  //! The spec's `show:` metrics over every trial, in the spec's order.
  std::vector<Measured> measured;
  //! ThreadSanitizer reports found in the output (tsan build).
  std::vector<SanitizerReport> sanitizer_reports;
  //! Where the case stands in the run's selection before sharding, and which
  //! repetition of the selection (--repeat) this is: what `strain merge`
  //! orders shard reports by.
  std::uint64_t index = 0;
  std::uint64_t repetition = 0;
  //! Fields of a JSON report that this build does not know (name, JSON
  //! text), kept when `strain merge` reads it so nothing is lost.
  std::vector<std::pair<std::string, std::string>> extra_fields{};
  //! A replay under strategy `controlled`: how many different interleavings
  //! its repetitions ran (1 when the replay is exact); 0 otherwise.
  std::uint64_t schedules = 0;
  //! Strategy controlled/dfs: the search's reach; empty otherwise.
  std::optional<Exploration> explored;
  //! Under the controlled scheduler, a trial hung with no schedule point
  //! passed for its whole timeout: the turn holder blocks or spins where
  //! the scheduler does not see (a syscall, a plain variable in code not
  //! built with INSTRUMENT), not a hang of the code under real scheduling.
  bool unsteerable = false;

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
  OutcomeCounts outcomes{};
};

//! The distinct interleavings a case counts at most (CaseResult::schedules
//! of a steered case): a fixed set per case, so that counting allocates
//! nothing in a trial. A count that reaches it means "at least".
inline constexpr std::uint64_t kDistinctInterleavingsCap = std::uint64_t{1} << 15;

//! A spec file a run loaded, with a hash of its bytes, so reports of shards
//! can be checked to come from the same specs.
struct SpecFile {
  std::string name;
  std::string path;
  std::string hash;
};

//! Which part of the selection a run ran: cases whose index in the
//! selection is `index` modulo `total`.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t total = 1;
};

//! How the cases of a run were chosen, shared by RunInfo and RunSummary.
struct Selection {
  std::string filter;            // --filter as given ("" selects all)
  std::vector<std::string> ids;  // --case ids as given
  std::uint64_t cases = 0;       // cases selected before sharding
  std::uint64_t repeat = 1;      // --repeat: times the selection runs
  std::optional<Shard> shard;    // none: the run was not sharded
};

//! What a run is about to do.
struct RunInfo {
  std::string build;  // "plain" or "tsan"
  std::uint64_t seed = 0;
  bool seed_overridden = false;
  std::vector<std::string> case_ids;
  std::string timestamp;  // ISO 8601, UTC
  // Default member initialisers on the fields added after the first five,
  // so existing aggregate initialisations stay free of warnings.
  Selection selection{};
  //! No --seed, and the selected cases' specs have different seeds: `seed`
  //! is then only the first spec's, and each case runs under its own.
  bool seed_per_spec = false;
};

//! What a run did.
struct RunSummary {
  std::string build;
  std::uint64_t seed = 0;
  bool seed_overridden = false;
  std::string timestamp;
  double elapsed_s = 0.0;
  std::vector<CaseResult> results;
  std::vector<SpecFile> specs{};  // every spec loaded, sharded away or not
  Selection selection{};
  std::string strain_version{};  // of the strain that ran; set by `merge` from its inputs
  bool seed_per_spec = false;    // as RunInfo::seed_per_spec
  //! Ctrl-C or SIGTERM ended the run; `unfinished` holds the cases it was
  //! still to run (id, spec name and path set), the interrupted one first.
  //! Every report says so: the results alone would read as a smaller run.
  bool interrupted = false;
  std::vector<CaseResult> unfinished{};
  bool all_met() const {
    for (const auto& r : results)
      if (!r.met) return false;
    return true;
  }
};

}  // namespace strain::model
