// `strain run` and `strain replay`.

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/intensity.hpp"
#include "cli/output.hpp"
#include "cli/shard.hpp"
#include "cli/validators.hpp"
#include "spec/strategy_override.hpp"
#include "core/errors.hpp"
#include "core/shell_quote.hpp"
#include "core/output_path.hpp"
#include "exec/case_run.hpp"
#include "exec/isolated_runner.hpp"
#include "model/seed.hpp"
#include "report/format.hpp"
#include "report/reporter.hpp"
#include "sched/trace.hpp"

namespace strain::cli {

namespace {

struct RunFlags {
  std::vector<std::string> specs;
  std::vector<std::string> reports;
  std::string filter;
  std::vector<std::string> ids;
  bool keep_going = false;
  std::optional<std::uint64_t> seed;
  std::string strategy;
  std::uint64_t repeat = 1;
  ShardFlags shard;
  OutputFlags output;
  bool in_process = false;
  bool fail_fast = false;
  bool shuffle = false;
  std::optional<std::uint64_t> shuffle_seed;
  std::string intensity;  // as given; "" is 1
};

// Set by SIGINT/SIGTERM: the running case's worker is killed, the reports of
// the cases that finished are written, and strain exits 130.
std::atomic<bool> g_interrupted{false};

void on_signal(int) { g_interrupted.store(true); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

// Runs one case: in a worker process unless asked to stay in-process (for a
// debugger), where a crash takes strain down with it.
model::CaseResult run_one(const spec::Case& c, const model::RunPlan& plan,
                          const exec::CaseHooks& hooks, const Global& g, bool in_process) {
  if (in_process) return exec::run_case(c, plan, hooks);
  exec::WorkerLaunch launch;
  launch.exe = exec::self_exe();
  if (!g.plugin_path.empty()) launch.global_args = {"--plugin-path", g.plugin_path};
  launch.interrupted = &g_interrupted;
  return exec::run_isolated(c, plan, hooks, launch);
}

// The plan of `c` in repetition `r` of this run: what is the same for every
// case (the build, the printed command's prefix, the flags) and the seed.
model::RunPlan make_plan(const spec::Case& c, std::optional<std::uint64_t> run_seed,
                         std::uint64_t r, double intensity, const Global& g) {
  model::RunPlan plan = exec::plan_for(c, run_seed, r);
  plan.intensity = intensity;
  plan.tsan_build = tsan_build();
  plan.command_prefix = command_prefix(g.plugin_path);
  return plan;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// --verbose: what a case runs with, and how to run it under a debugger
// (`prefix` as RunPlan::command_prefix).
void print_settings(const spec::Case& c, std::uint64_t seed, std::vector<std::string> prefix) {
  const spec::Schedule& s = c.schedule;
  std::string params, roles;
  for (std::size_t k = 0; k < c.params.size(); ++k)
    params += fmt::format("{}{}={}", k ? " " : "", c.scenario->params[k].name,
                          report::printable_line(c.params[k].str()));
  for (std::size_t k = 0; k < s.role_counts.size(); ++k)
    roles += fmt::format("{}{}={}", k ? " " : "", c.scenario->roles[k].name, s.role_counts[k]);
  std::cout << fmt::format("  {}: {} ({})\n    params: {}\n", c.id, c.plugin, c.spec_path, params);
  std::cout << fmt::format(
      "    schedule: topology={} roles: {} trials={} budget={}s timeout={}s time_scale={} "
      "strategy={} (yield_p={} spin_p={} sleep_p={}) seed={}\n",
      s.topology == spec::Topology::threads ? "threads" : "processes", roles, s.trials, s.budget_s,
      s.timeout_s, s.time_scale,
      model::label(s.strategy),
      s.strategy.yield_p, s.strategy.spin_p, s.strategy.sleep_p, seed);
  // The whole line runs as pasted: gdb --args, then this strain with its
  // plugin path, the spec's absolute path, and every word quoted.
  std::error_code ec;
  const std::filesystem::path spec = std::filesystem::absolute(c.spec_path, ec);
  std::vector<std::string> words{"gdb", "--args"};
  words.insert(words.end(), prefix.begin(), prefix.end());
  words.insert(words.end(),
               {"run", (ec ? std::filesystem::path(c.spec_path) : spec).lexically_normal().string(),
                "--case", c.id, "--seed", std::to_string(seed), "--in-process"});
  std::cout << "    in a debugger: " << shell_join(words) << "\n";
  std::cout.flush();
}

// The cases the flags select, in spec order; throws when none is.
std::vector<const spec::Case*> select_cases(const std::vector<spec::Spec>& specs, RunFlags& f) {
  // $STRAIN_CASE: ids separated by spaces (an id has none). Read here, as
  // CLI11 would take the whole variable as one id.
  if (const char* env = std::getenv("STRAIN_CASE"); env != nullptr && f.ids.empty()) {
    std::istringstream words(env);
    for (std::string id; words >> id;) f.ids.push_back(id);
  }
  std::vector<const spec::Case*> cases;
  for (const auto& id : f.ids) {
    const bool known = std::any_of(specs.begin(), specs.end(), [&](const spec::Spec& s) {
      return std::any_of(s.cases.begin(), s.cases.end(),
                         [&](const spec::Case& c) { return c.id == id; });
    });
    if (!known) throw UsageError("no case '" + id + "' in the given specs (see `strain list`)");
  }
  for (const auto& s : specs)
    for (const auto& c : s.cases) {
      const bool named =
          f.ids.empty() || std::find(f.ids.begin(), f.ids.end(), c.id) != f.ids.end();
      if (named && matches_filter(c.id, f.filter)) cases.push_back(&c);
    }
  if (cases.empty()) throw UsageError("no case matches the filter '" + f.filter + "'");
  return cases;
}

// The order in which repetition `r` runs this shard's cases (indices into
// the selection): the selection's own, or with --shuffle a permutation from
// the shuffle seed + r, as gtest reshuffles each iteration.
std::vector<std::uint64_t> case_order(std::vector<std::uint64_t> mine, const RunFlags& f,
                                      std::uint64_t shuffle_seed, std::uint64_t r) {
  if (f.shuffle) std::shuffle(mine.begin(), mine.end(), std::mt19937_64(shuffle_seed + r));
  return mine;
}

// Runs the selected cases of this shard, `repeat` times, feeding every
// reporter. Returns the exit code.
int execute(const std::vector<spec::Spec>& specs, RunFlags& f, double intensity,
            const Global& g, const std::vector<std::string>& inputs) {
  const std::vector<const spec::Case*> selected = select_cases(specs, f);
  const GetEnv env = [](const char* name) { return std::getenv(name); };
  model::Selection sel{f.filter, f.ids, selected.size(), f.repeat, resolve_shard(f.shard, env)};
  touch_shard_status_file(env);
  std::vector<std::uint64_t> mine;  // indices into `selected` this shard runs
  for (std::uint64_t k = 0; k < selected.size(); ++k)
    if (in_shard(k, sel.shard)) mine.push_back(k);

  report::Fanout rep = make_reporters(f.output, f.reports, inputs);
  install_signal_handlers();
  // The run's seed is that of the whole selection, not of this shard's first
  // case, so every shard of one run reports the same seed.
  model::RunInfo info{tsan_build() ? "tsan" : "plain",
                     f.seed.value_or(selected.front()->schedule.seed),
                     f.seed.has_value(),
                     {},
                     utc_now(),
                     sel};
  for (const auto* c : selected)
    if (!f.seed && c->schedule.seed != info.seed) info.seed_per_spec = true;
  for (std::uint64_t r = 0; r < f.repeat; ++r)
    for (const auto k : mine) info.case_ids.push_back(selected[k]->id);
  if (sel.shard && mine.empty())
    std::cerr << fmt::format("strain: shard {}/{} has no case (the selection has {})\n",
                             sel.shard->index, sel.shard->total, selected.size());
  rep.run_started(info);
  model::RunSummary summary;
  summary.build = info.build;
  summary.seed = info.seed;
  summary.seed_overridden = info.seed_overridden;
  summary.seed_per_spec = info.seed_per_spec;
  summary.timestamp = info.timestamp;
  summary.specs = spec_files(specs);
  summary.selection = sel;
  const auto t0 = std::chrono::steady_clock::now();
  exec::CaseHooks hooks;
  hooks.progress = [&rep](const model::CaseProgress& p) { rep.case_progress(p); };
  // gtest's --gtest_shuffle: a seed from the clock unless given, printed so
  // that the order can be had again.
  const std::uint64_t shuffle_seed =
      f.shuffle_seed.value_or(static_cast<std::uint64_t>(std::random_device{}()));
  if (f.shuffle && !f.output.quiet)
    std::cout << fmt::format("Shuffling the cases with seed {} (--shuffle-seed {} repeats it)\n",
                             shuffle_seed, shuffle_seed);
  bool stop = false;  // --fail-fast saw an unmet case
  std::uint64_t not_run = 0;
  for (std::uint64_t r = 0; r < f.repeat && !g_interrupted.load(); ++r) {
    if (stop) {
      not_run += mine.size();
      continue;
    }
    if (f.repeat > 1 && !f.output.quiet)
      std::cout << fmt::format("\nRepetition {}/{} (seed: {})\n", r + 1, f.repeat,
                               info.seed_per_spec ? fmt::format("each spec's own + {}", r)
                                                  : std::to_string(info.seed + r));
    for (const auto k : case_order(mine, f, shuffle_seed, r)) {
      if (g_interrupted.load()) break;
      if (stop) {
        ++not_run;
        continue;
      }
      const spec::Case& c = *selected[k];
      // As gtest does with --gtest_repeat, repetition r runs under the next
      // seed (the spec's, or --seed's, plus r): N repetitions explore N
      // times the schedules.
      model::RunPlan plan = make_plan(c, f.seed, r, intensity, g);
      plan.keep_going = f.keep_going;
      if (f.output.verbose) print_settings(c, plan.seed, plan.command_prefix);
      rep.case_started(c.id);
      model::CaseResult res = run_one(c, plan, hooks, g, f.in_process);
      if (res.stopped_by == model::StopReason::interrupted) break;
      res.index = k;
      res.repetition = r;
      summary.results.push_back(std::move(res));
      rep.case_finished(summary.results.back());
      if (f.fail_fast && !summary.results.back().met) stop = true;
    }
  }
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (g_interrupted.load()) {
    // The planned cases, in run order, past those that finished.
    summary.interrupted = true;
    std::uint64_t planned = 0;
    for (std::uint64_t r = 0; r < f.repeat; ++r)
      for (const auto k : case_order(mine, f, shuffle_seed, r)) {
        if (planned++ < summary.results.size()) continue;
        const spec::Case& c = *selected[k];
        model::CaseResult u = exec::base_result(c, model::resolve_seed(f.seed, c.schedule.seed, r),
                                                info.build == "tsan");
        u.index = k;
        u.repetition = r;
        u.stopped_by = model::StopReason::interrupted;
        summary.unfinished.push_back(std::move(u));
      }
  }
  const bool written = finish_reports(rep, summary);
  if (not_run > 0)
    std::cerr << fmt::format(
        "strain: --fail-fast: stopped at the first unmet case; {} case{} not run\n", not_run,
        not_run == 1 ? " was" : "s were");
  if (g_interrupted.load()) {
    std::cerr << "strain: interrupted; " << summary.results.size() << " of " << info.case_ids.size()
              << " cases finished and were reported\n";
    return kExitInterrupted;
  }
  if (!written) return kExitUsage;
  return summary.all_met() ? kExitMet : kExitUnmet;
}

}  // namespace

Action add_run(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("run", "Run the cases of spec files or folders");
  auto f = std::make_shared<RunFlags>();
  cmd->add_option("specs", f->specs, "spec files or folders of specs")->required();
  add_report_option(*cmd, f->reports);
  cmd->add_option("--filter", f->filter,
                  "run only cases whose id matches: 'glob:glob-excluded:excluded'")
      ->envname("STRAIN_FILTER");
  cmd->add_option("--case", f->ids,
                  "run only the case with exactly this id (repeatable) (Env:STRAIN_CASE, ids "
                  "separated by spaces)")
      ->type_size(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_flag("--keep-going", f->keep_going,
                "count every trial instead of stopping at the first failure")
      ->envname("STRAIN_KEEP_GOING");
  cmd->add_option("--seed", f->seed, "replace every spec's seed")
      ->check(whole_number(0))
      ->envname("STRAIN_SEED");
  cmd->add_option("--strategy", f->strategy,
                  "replace every case's strategy: " + std::string(spec::kStrategyForms))
      ->envname("STRAIN_STRATEGY");
  cmd->add_option("--repeat", f->repeat,
                  "run the whole selection N times (as --gtest_repeat), repetition k under seed "
                  "+ k")
      ->check(whole_number(1))
      ->envname("STRAIN_REPEAT");
  cmd->add_option("--shard", f->shard.shard,
                  "run shard I of N (0-based): the cases whose index in the selection is I mod N")
      ->envname("STRAIN_SHARD");
  cmd->add_option("--shards", f->shard.shards,
                  "run one of N shards, its index from $JOB_COMPLETION_INDEX (Kubernetes)")
      ->check(whole_number(1))
      ->envname("STRAIN_SHARDS");
  cmd->add_flag("--fail-fast", f->fail_fast,
                "stop after the first case that does not meet its expectation (as "
                "--gtest_fail_fast)")
      ->envname("STRAIN_FAIL_FAST");
  cmd->add_flag("--shuffle", f->shuffle,
                "run the cases in a random order, printing its seed (as --gtest_shuffle)")
      ->envname("STRAIN_SHUFFLE");
  cmd->add_option("--shuffle-seed", f->shuffle_seed,
                  "the seed of --shuffle's order (default: from the clock)")
      ->check(whole_number(0))
      ->envname("STRAIN_SHUFFLE_SEED");
  cmd->add_option("--intensity", f->intensity,
                  "scale every case's trials and budget: a factor (0.1, 10) or quick (0.1), "
                  "default, tough (10), stress (100), as jcstress -m")
      ->envname("STRAIN_INTENSITY");
  add_output_options(*cmd, f->output);
  cmd->add_flag("--in-process", f->in_process,
                "run cases inside strain itself (for a debugger); a crash then ends the run")
      ->envname("STRAIN_IN_PROCESS");
  return [f, &g]() {
    const double intensity = f->intensity.empty() ? 1.0 : parse_intensity(f->intensity);
    const plugin::Catalog catalog = load_catalog(g.plugin_path);
    std::vector<spec::Spec> specs = load_specs(collect_spec_files(f->specs), catalog);
    if (!f->strategy.empty())
      for (auto& s : specs)
        for (auto& c : s.cases) apply_strategy_flag(c, f->strategy);
    for (auto& s : specs)
      for (auto& c : s.cases) apply_intensity(c, intensity);
    return execute(specs, *f, intensity, g, run_inputs(specs, catalog));
  };
}

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

}  // namespace

Action add_replay(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("replay", "Run one trial of one case again");
  struct Flags {
    std::string id, spec, trace_in, trace_out, strategy;
    std::optional<std::uint64_t> seed, trial, steps;
    std::uint64_t repeat = 1;
    OutputFlags output;
    bool in_process = false;
  };
  auto f = std::make_shared<Flags>();
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
  add_output_options(*cmd, f->output);
  cmd->add_flag("--in-process", f->in_process,
                "run the trial inside strain itself (for a debugger)")
      ->envname("STRAIN_IN_PROCESS");
  return [f, &g]() {
    (void)use_color(f->output);  // a bad --color is an error before anything runs
    if (!f->trace_in.empty()) {
      sched::Trace t;
      try {
        t = sched::read_trace(f->trace_in);
      } catch (const std::exception& e) {
        throw UsageError(e.what());
      }
      if (t.case_id != f->id)
        throw UsageError("the trace " + f->trace_in + " is of case '" + t.case_id + "', not '" +
                         f->id + "'");
      if (!f->seed) f->seed = t.seed;
      if (!f->trial) f->trial = t.trial;
    }
    if (!f->seed || !f->trial) throw UsageError("replay needs --seed and --trial (or --trace)");
    std::string path = f->spec;
    if (path.empty()) path = "specs/" + f->id.substr(0, f->id.find('/')) + ".yaml";
    const plugin::Catalog catalog = load_catalog(g.plugin_path);
    std::vector<spec::Spec> specs = load_specs(collect_spec_files({path}), catalog);
    spec::Case* found = nullptr;
    for (auto& c : specs.front().cases)
      if (c.id == f->id) found = &c;
    if (found == nullptr) {
      // An id from an older report or a README often lacks the matrix
      // point the case id has gained since: name the ids it starts.
      std::string near;
      for (const auto& c : specs.front().cases)
        if (c.id.starts_with(f->id + "/")) near += "\n  " + c.id;
      throw UsageError("no case '" + f->id + "' in " + path +
                       (near.empty() ? "; `strain list " + path + "` lists its cases"
                                     : "; did you mean one of:" + near));
    }
    if (!f->strategy.empty()) apply_strategy_flag(*found, f->strategy);
    if (!f->trace_out.empty())
      check_output_path(f->trace_out, run_inputs(specs, catalog), "--record-trace");
    const bool controlled = model::steered(found->schedule.strategy);
    if (!controlled && (!f->trace_in.empty() || !f->trace_out.empty()))
      throw UsageError("--trace and --record-trace need a case under strategy controlled; " +
                       f->id + " runs under " +
                       std::string(model::to_string(found->schedule.strategy.name)));
    if (f->output.verbose) print_settings(*found, *f->seed, command_prefix(g.plugin_path));
    model::RunPlan plan = make_plan(*found, f->seed, 0, 1.0, g);
    plan.only_trial = f->trial;
    plan.keep_going = true;
    plan.steps = f->steps;
    plan.trace_in = f->trace_in;
    plan.trace_out = f->trace_out;
    install_signal_handlers();
    ReplayTally tally;
    while (tally.runs < f->repeat) {
      plan.repeat = f->repeat - tally.runs;
      if (!controlled) plan.repeat = std::min(plan.repeat, kRealScheduleRunsPerWorker);
      model::CaseResult r = run_one(*found, plan, {}, g, f->in_process);
      if (r.stopped_by == model::StopReason::error) throw UsageError("cannot replay " + f->id + ": " + r.note);
      if (r.stopped_by == model::StopReason::interrupted || g_interrupted.load()) {
        std::cerr << "strain: interrupted after " << tally.runs << " of " << f->repeat << " runs\n";
        return kExitInterrupted;
      }
      const bool ran = r.trials > 0;
      tally.add(std::move(r));
      if (!ran) break;  // nothing ran: another worker would do the same
      // The trace is the first run's; later workers replay, not record.
      plan.trace_out.clear();
    }
    print_replay(tally, f->id, *f->seed, *f->trial, controlled, f->output);
    if (!f->trace_out.empty()) std::cout << "trace written to " << f->trace_out << "\n";
    return tally.failed > 0 ? kExitUnmet : kExitMet;
  };
}

}  // namespace strain::cli
