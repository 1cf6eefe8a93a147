// `strain replay`: runs one trial of one case again, as a report's replay
// line says, and tells how often it failed.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/case_launch.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/validators.hpp"
#include "core/errors.hpp"
#include "core/output_path.hpp"
#include "sched/trace.hpp"

namespace strain::cli {

namespace {

// What the workers of one replay ran, added up: a failure that kills its
// worker (crash, hang, exit) ends that worker, and the remaining
// repetitions run in a fresh one.
// Under a real scheduler a worker's threads settle into one pattern of
// timing for as long as the worker lives: queue_pipeline/bug_empty_check
// (tsan) failed 0 of 20 repetitions in 2 of 14 workers and about half of
// them in the others. A fresh worker every few repetitions re-rolls that
// too, so a trial that fails at all fails in some of N. The controlled
// scheduler's replay is exact: one worker runs them all.
constexpr std::uint64_t kRealScheduleRunsPerWorker = 5;

struct ReplayTally {
  std::uint64_t runs = 0, failed = 0, workers = 0;
  model::CaseResult first;  // the first worker's result, for what is not summed
  std::optional<model::TrialFailure> first_failure;
  std::vector<model::SanitizerReport> reports;  // de-duplicated by signature

  void add(model::CaseResult r) {
    ++workers;
    runs += r.trials;
    failed += r.trials - r.outcomes[0];
    if (!first_failure) first_failure = r.first_failure;
    for (auto& rep : r.sanitizer_reports) {
      const auto same = std::find_if(reports.begin(), reports.end(),
                                     [&](const auto& x) { return x.signature == rep.signature; });
      if (same != reports.end())
        same->count += rep.count;
      else
        reports.push_back(std::move(rep));
    }
    if (workers == 1) first = std::move(r);
  }
};

// Prints what a replay found: how often the trial failed again, the first
// failure, the interleavings under `controlled`, and each sanitizer report
// with its top frames (the report itself is the evidence of a race).
void print_replay(const ReplayTally& t, const std::string& id, std::uint64_t seed,
                  std::uint64_t trial, bool controlled, const OutputFlags& out) {
  const bool color = use_color(out);
  std::string verdict = fmt::format("failed {} of {} runs", t.failed, t.runs);
  if (color) verdict = fmt::format("{}{}\033[0m", t.failed > 0 ? "\033[31m" : "\033[32m", verdict);
  std::cout << "replay " << id << " seed " << seed << " trial " << trial << ": " << verdict;
  if (t.first_failure)
    std::cout << " (" << model::to_string(t.first_failure->outcome) << ": "
              << t.first_failure->message << ")";
  std::cout << "\n";
  if (out.quiet) return;
  // Under a real scheduler the seed fixes Strain's perturbations, not the
  // OS's timing: a trial that failed once may fail again in a few runs of a
  // hundred (queue_pipeline/bug_empty_check, processes, chaos, tsan: 2 in
  // 100). Say so rather than leave a pass to read as "fixed".
  if (!controlled && t.failed == 0)
    std::cout << fmt::format(
        "note: the trial ran under a real scheduler, whose timing no seed fixes: a failure it "
        "found may take many runs to come back{}\n",
        t.runs < 100 ? fmt::format(" (ran {}; try --repeat {})", t.runs, t.runs < 20 ? 100 : 1000)
                     : "");
  // Under controlled every repetition runs the same interleaving; say so,
  // with the digest a run's report shows for the failure. Only a single
  // worker can say it: a worker killed by its trial takes the digests of
  // the interleavings it ran with it.
  if (t.first.schedules > 0 && t.workers == 1) {
    std::cout << "interleavings: " << t.first.schedules << " distinct in " << t.runs << " runs";
    if (t.first_failure && !t.first_failure->schedule.empty())
      std::cout << " (failing schedule " << t.first_failure->schedule << ")";
    std::cout << "\n";
  } else if (t.workers > 1 && controlled) {
    std::cout << "interleavings: not counted (the runs took " << t.workers
              << " workers, as failures ended them)\n";
  } else if (t.workers > 1) {
    std::cout << "workers: " << t.workers << " (a fresh one every " << kRealScheduleRunsPerWorker
              << " runs, or after a run that ended one)\n";
  }
  for (const auto& rep : t.reports)
    std::cout << fmt::format("ThreadSanitizer ({}x): {}", rep.count, rep.brief);
  if (out.verbose && !t.first.output.empty())
    std::cout << fmt::format("plugin output of the first worker ({} bytes):\n{}\n",
                             t.first.output_bytes, t.first.output);
}

// The flags of `strain replay`.
struct ReplayFlags {
  std::string id, spec, trace_in, trace_out, strategy;
  std::optional<std::uint64_t> seed, trial, steps;
  std::uint64_t repeat = 1;
  OutputFlags output;
  bool in_process = false;
  int fibers = 0;  // --fibers 1, --no-fibers -1
};

// --trace: the seed and trial default to the trace's, whose case must be the one named.
void take_trace_defaults(ReplayFlags& f) {
  sched::Trace t;
  try {
    t = sched::read_trace(f.trace_in);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (t.case_id != f.id)
    throw UsageError("the trace " + f.trace_in + " is of case '" + t.case_id + "', not '" + f.id +
                     "'");
  if (!f.seed) f.seed = t.seed;
  if (!f.trial) f.trial = t.trial;
}

// The case `f.id` of its spec (--spec, or specs/<spec name>.yaml), loaded with the catalog.
spec::Case& find_case(const ReplayFlags& f, std::vector<spec::Spec>& specs,
                      const std::string& path) {
  spec::Case* found = nullptr;
  for (auto& c : specs.front().cases)
    if (c.id == f.id) found = &c;
  if (found == nullptr) {
    // An id from an older report or a README often lacks the matrix
    // point the case id has gained since: name the ids it starts.
    std::string near;
    for (const auto& c : specs.front().cases)
      if (c.id.starts_with(f.id + "/")) near += "\n  " + c.id;
    throw UsageError("no case '" + f.id + "' in " + path +
                     (near.empty() ? "; `strain list " + path + "` lists its cases"
                                   : "; did you mean one of:" + near));
  }
  return *found;
}

// Runs the trial `f` names, --repeat times, and prints what happened; the exit code.
int replay(ReplayFlags& f, const Global& g) {
  (void)use_color(f.output);  // a bad --color is an error before anything runs
  if (!f.trace_in.empty()) take_trace_defaults(f);
  if (!f.seed || !f.trial) throw UsageError("replay needs --seed and --trial (or --trace)");
  std::string path = f.spec;
  if (path.empty()) path = "specs/" + f.id.substr(0, f.id.find('/')) + ".yaml";
  const plugin::Catalog catalog = load_catalog(g.plugin_path);
  std::vector<spec::Spec> specs = load_specs(collect_spec_files({path}), catalog);
  spec::Case& found = find_case(f, specs, path);
  if (!f.strategy.empty()) apply_strategy_flag(found, f.strategy);
  apply_fibers_flag(found, f.fibers);
  if (!f.trace_out.empty())
    check_output_path(f.trace_out, run_inputs(specs, catalog), "--record-trace");
  const bool controlled = model::steered(found.schedule.strategy);
  if (!controlled && (!f.trace_in.empty() || !f.trace_out.empty()))
    throw UsageError("--trace and --record-trace need a case under strategy controlled; " + f.id +
                     " runs under " + std::string(model::to_string(found.schedule.strategy.name)));
  if (f.output.verbose) print_settings(found, *f.seed, command_prefix(g.plugin_path));
  model::RunPlan plan = make_plan(found, f.seed, 0, 1.0, g);
  plan.only_trial = f.trial;
  plan.keep_going = true;
  plan.steps = f.steps;
  plan.trace_in = f.trace_in;
  plan.trace_out = f.trace_out;
  install_signal_handlers();
  ReplayTally tally;
  while (tally.runs < f.repeat) {
    plan.repeat = f.repeat - tally.runs;
    if (!controlled) plan.repeat = std::min(plan.repeat, kRealScheduleRunsPerWorker);
    model::CaseResult r = run_one(found, plan, {}, g, f.in_process);
    if (r.stopped_by == model::StopReason::error)
      throw UsageError("cannot replay " + f.id + ": " + r.note);
    if (r.stopped_by == model::StopReason::interrupted || interrupted()) {
      std::cerr << "strain: interrupted after " << tally.runs << " of " << f.repeat << " runs\n";
      return kExitInterrupted;
    }
    const bool ran = r.trials > 0;
    tally.add(std::move(r));
    if (!ran) break;  // nothing ran: another worker would do the same
    // The trace is the first run's; later workers replay, not record.
    plan.trace_out.clear();
  }
  print_replay(tally, f.id, *f.seed, *f.trial, controlled, f.output);
  if (!f.trace_out.empty()) std::cout << "trace written to " << f.trace_out << "\n";
  return tally.failed > 0 ? kExitUnmet : kExitMet;
}

}  // namespace

Action add_replay(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("replay", "Run one trial of one case again");
  auto f = std::make_shared<ReplayFlags>();
  cmd->add_option("case", f->id, "the case id, as reports print it")->required();
  cmd->add_option("--seed", f->seed, "the spec seed of the failing run (default: the trace's)")
      ->check(whole_number(0))
      ->envname("STRAIN_SEED");
  cmd->add_option("--trial", f->trial, "the trial index (default: the trace's)")
      ->check(whole_number(0))
      ->envname("STRAIN_TRIAL");
  cmd->add_option("--spec", f->spec, "the spec file (default: specs/<spec name>.yaml)")
      ->envname("STRAIN_SPEC");
  cmd->add_option("--repeat", f->repeat,
                  "run the trial this many times (under a real scheduler, in a fresh worker every "
                  "5 runs)")
      ->check(whole_number(1))
      ->envname("STRAIN_REPEAT");
  cmd->add_option("--steps", f->steps,
                  "strategy controlled/pct: the k the trial ran with (replay lines give it)")
      ->check(whole_number(0))
      ->envname("STRAIN_STEPS");
  cmd->add_option("--trace", f->trace_in,
                  "strategy controlled: follow the decisions recorded in this trace file")
      ->envname("STRAIN_TRACE");
  cmd->add_option("--record-trace", f->trace_out,
                  "strategy controlled: write the trial's decisions and interleaving here")
      ->envname("STRAIN_RECORD_TRACE");
  cmd->add_option("--strategy", f->strategy,
                  "the --strategy of the run being replayed (its replay line says it)")
      ->envname("STRAIN_STRATEGY");
  add_fibers_flags(cmd, f->fibers);
  add_output_options(*cmd, f->output);
  cmd->add_flag("--in-process", f->in_process,
                "run the trial inside strain itself (for a debugger)")
      ->envname("STRAIN_IN_PROCESS");
  return [f, &g]() { return replay(*f, g); };
}

}  // namespace strain::cli
