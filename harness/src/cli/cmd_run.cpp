// `strain run`: runs the cases of spec files and reports them.

#include <fmt/format.h>
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

#include "cli/case_launch.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/intensity.hpp"
#include "cli/output.hpp"
#include "cli/shard.hpp"
#include "cli/validators.hpp"
#include "core/errors.hpp"
#include "exec/case_run.hpp"
#include "model/seed.hpp"
#include "model/strategy.hpp"
#include "report/format.hpp"
#include "report/reporter.hpp"
#include "spec/strategy_override.hpp"

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
  int fibers = 0;  // --fibers 1, --no-fibers -1
  std::uint64_t repeat = 1;
  ShardFlags shard;
  OutputFlags output;
  bool in_process = false;
  bool fail_fast = false;
  bool shuffle = false;
  std::optional<std::uint64_t> shuffle_seed;
  std::string intensity;  // as given; "" is 1
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// $STRAIN_CASE: ids separated by spaces (an id has none). Read here, as
// CLI11 would take the whole variable as one id.
void read_case_ids(RunFlags& f) {
  if (const char* env = std::getenv("STRAIN_CASE"); env != nullptr && f.ids.empty()) {
    std::istringstream words(env);
    for (std::string id; words >> id;) f.ids.push_back(id);
  }
}

// The cases worth building: those named by --case, or else those the
// filter accepts. select_cases() still applies both, so what runs and every
// error about the selection are as if every case had been built.
spec::CaseFilter cases_to_build(const RunFlags& f) {
  if (f.ids.empty() && f.filter.empty()) return {};
  return [&f](std::string_view id) {
    if (!f.ids.empty()) return std::find(f.ids.begin(), f.ids.end(), id) != f.ids.end();
    return matches_filter(id, f.filter);
  };
}

// The cases the flags select, in spec order; throws when none is.
std::vector<const spec::Case*> select_cases(const std::vector<spec::Spec>& specs,
                                            const RunFlags& f) {
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
// What the reporters are told when the run starts. The run's seed is that of the whole selection,
// not of this shard's first case, so every shard of one run reports the same seed.
model::RunInfo run_info(const std::vector<const spec::Case*>& selected,
                        const std::vector<std::uint64_t>& mine, const model::Selection& sel,
                        const RunFlags& f) {
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
  return info;
}

// The summary of a run that has `info`, before any case finished.
model::RunSummary empty_summary(const model::RunInfo& info, const std::vector<spec::Spec>& specs) {
  model::RunSummary summary;
  summary.build = info.build;
  summary.seed = info.seed;
  summary.seed_overridden = info.seed_overridden;
  summary.seed_per_spec = info.seed_per_spec;
  summary.timestamp = info.timestamp;
  summary.specs = spec_files(specs);
  summary.selection = info.selection;
  return summary;
}

// After an interruption: the planned cases, in run order, past those that finished.
void add_unfinished(model::RunSummary& summary, const std::vector<const spec::Case*>& selected,
                    const std::vector<std::uint64_t>& mine, const RunFlags& f,
                    std::uint64_t shuffle_seed) {
  summary.interrupted = true;
  std::uint64_t planned = 0;
  for (std::uint64_t r = 0; r < f.repeat; ++r)
    for (const auto k : case_order(mine, f, shuffle_seed, r)) {
      if (planned++ < summary.results.size()) continue;
      const spec::Case& c = *selected[k];
      model::CaseResult u = exec::base_result(c, model::resolve_seed(f.seed, c.schedule.seed, r),
                                              summary.build == "tsan");
      u.index = k;
      u.repetition = r;
      u.stopped_by = model::StopReason::interrupted;
      summary.unfinished.push_back(std::move(u));
    }
}

int execute(const std::vector<spec::Spec>& specs, RunFlags& f, double intensity, const Global& g,
            const std::vector<std::string>& inputs) {
  const std::vector<const spec::Case*> selected = select_cases(specs, f);
  const GetEnv env = [](const char* name) { return std::getenv(name); };
  model::Selection sel{f.filter, f.ids, selected.size(), f.repeat, resolve_shard(f.shard, env)};
  touch_shard_status_file(env);
  std::vector<std::uint64_t> mine;  // indices into `selected` this shard runs
  for (std::uint64_t k = 0; k < selected.size(); ++k)
    if (in_shard(k, sel.shard)) mine.push_back(k);

  report::Fanout rep = make_reporters(f.output, f.reports, inputs);
  install_signal_handlers();
  const model::RunInfo info = run_info(selected, mine, sel, f);
  if (sel.shard && mine.empty())
    std::cerr << fmt::format("strain: shard {}/{} has no case (the selection has {})\n",
                             sel.shard->index, sel.shard->total, selected.size());
  rep.run_started(info);
  model::RunSummary summary = empty_summary(info, specs);
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
  for (std::uint64_t r = 0; r < f.repeat && !interrupted(); ++r) {
    if (stop) {
      not_run += mine.size();
      continue;
    }
    if (f.repeat > 1 && !f.output.quiet)
      std::cout << fmt::format("\nRepetition {}/{} (seed: {})\n", r + 1, f.repeat,
                               info.seed_per_spec ? fmt::format("each spec's own + {}", r)
                                                  : std::to_string(info.seed + r));
    for (const auto k : case_order(mine, f, shuffle_seed, r)) {
      if (interrupted()) break;
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
  if (interrupted()) add_unfinished(summary, selected, mine, f, shuffle_seed);
  const bool written = finish_reports(rep, summary);
  if (not_run > 0)
    std::cerr << fmt::format(
        "strain: --fail-fast: stopped at the first unmet case; {} case{} not run\n", not_run,
        not_run == 1 ? " was" : "s were");
  if (interrupted()) {
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
                  "run only cases whose id matches: 'glob:glob-excluded:excluded' (only those are "
                  "built and checked; `strain validate` checks every case)")
      ->envname("STRAIN_FILTER");
  cmd->add_option("--case", f->ids,
                  "run only the case with exactly this id (repeatable; only those are built and "
                  "checked) (Env:STRAIN_CASE, ids separated by spaces)")
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
                  "replace every case's strategy: " + model::strategy_flag_forms())
      ->envname("STRAIN_STRATEGY");
  add_fibers_flags(cmd, f->fibers);
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
    read_case_ids(*f);
    std::vector<spec::Spec> specs =
        load_specs(collect_spec_files(f->specs), catalog, cases_to_build(*f));
    if (!f->strategy.empty())
      for (auto& s : specs)
        for (auto& c : s.cases) apply_strategy_flag(c, f->strategy);
    for (auto& s : specs)
      for (auto& c : s.cases) apply_fibers_flag(c, f->fibers);
    for (auto& s : specs)
      for (auto& c : s.cases) apply_intensity(c, intensity);
    return execute(specs, *f, intensity, g, run_inputs(specs, catalog));
  };
}

}  // namespace strain::cli
