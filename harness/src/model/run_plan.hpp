#pragma once
// One case to run, resolved: which case (spec file, id, the plugin library
// that holds its scenario), the seed it runs under, and how. The parent
// strain makes it once; a worker process is handed it whole (as JSON, the
// codec below) instead of options written out as arguments by hand and
// parsed back, and loads just the one plugin it names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strain::model {

struct RunPlan {
  // --- which case ----------------------------------------------------------
  std::string spec_path;
  std::string case_id;
  //! The library holding the case's scenario; empty: find it on the plugin
  //! path (a case whose scenario did not load).
  std::string plugin_file;

  // --- the seed every trial seed derives from (model/seed.hpp), resolved once
  std::uint64_t seed = 0;

  // --- how the parent changed its copy of the case (the worker does alike) --
  std::string strategy_flag;  // run --strategy; empty: the spec's
  int fibers_flag = 0;        // run --fibers (1), --no-fibers (-1)
  double intensity = 1.0;     // run --intensity

  // --- which trials --------------------------------------------------------
  bool keep_going = false;                  // count every trial, not stop at the first failure
  std::optional<std::uint64_t> only_trial;  // replay: run just this trial index...
  std::uint64_t repeat = 1;                 // ...this many times
  //! --keep-going past a failure that ended a worker: the index of the
  //! first trial this worker runs, and the part of the case's budget left.
  std::uint64_t first_trial = 0;
  std::optional<double> budget_s;

  // --- strategy controlled -------------------------------------------------
  //! PCT's k for every trial instead of the learned one (a replay line
  //! passes the k its trial ran with).
  std::optional<std::uint64_t> steps;
  std::string trace_in;   // follow the decisions of this trace file...
  std::string trace_out;  // ...and/or write the first trial's here

  // --- how results are told ------------------------------------------------
  bool tsan_build = false;  // which expectation applies
  //! How a printed command starts: the strain to run and, when it is not the
  //! default, `--plugin-path P` (absolute), so that a replay line works
  //! pasted anywhere. Unquoted words; empty means {"strain"}.
  std::vector<std::string> command_prefix{};
};

//! One line of JSON (no newline).
std::string to_json(const RunPlan& plan);

//! Parses to_json()'s output; throws std::runtime_error saying which field
//! is wrong.
RunPlan run_plan_from_json(std::string_view text);

}  // namespace strain::model
