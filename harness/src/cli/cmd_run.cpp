// `strain run` and `strain replay`.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/errors.hpp"
#include "exec/case_runner.hpp"
#include "exec/isolated_runner.hpp"
#include "report/reporter.hpp"
#include "sched/trace.hpp"

namespace strain::cli {

namespace {

struct RunFlags {
  std::vector<std::string> specs;
  std::vector<std::string> reports;
  std::string filter;
  bool keep_going = false;
  std::optional<std::uint64_t> seed;
  std::string color = "auto";
  bool quiet = false;
  bool in_process = false;
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
exec::CaseResult run_one(const spec::Case& c, const exec::RunOptions& opt, const Global& g,
                         bool in_process) {
  if (in_process) return exec::run_case(c, opt);
  exec::WorkerLaunch launch;
  launch.exe = exec::self_exe();
  if (!g.plugin_path.empty()) launch.global_args = {"--plugin-path", g.plugin_path};
  launch.interrupted = &g_interrupted;
  return exec::run_isolated(c, opt, launch);
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

report::Fanout make_reporters(const RunFlags& f) {
  report::Fanout out;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  if (f.color != "auto" && f.color != "always" && f.color != "never")
    throw UsageError("--color must be auto, always or never, got '" + f.color + "'");
  const bool color = f.color == "always" || (f.color == "auto" && tty);
  out.add(report::make_console_reporter(std::cout, {tty, color, f.quiet}));
  for (const auto& r : f.reports) out.add(report::make_file_reporter(r));
  return out;
}

// Runs the cases in order, feeding every reporter. Returns the exit code.
int execute(const std::vector<const spec::Case*>& cases, exec::RunOptions opt,
            report::Reporter& rep, const std::optional<std::uint64_t>& seed, const Global& g,
            bool in_process) {
  install_signal_handlers();
  exec::RunInfo info{
      tsan_build() ? "tsan" : "plain", seed.value_or(0), seed.has_value(), {}, utc_now()};
  if (!seed && !cases.empty()) info.seed = cases.front()->schedule.seed;
  for (const auto* c : cases) info.case_ids.push_back(c->id);
  rep.run_started(info);
  exec::RunSummary summary{info.build, info.seed, info.seed_overridden, info.timestamp, 0.0, {}};
  const auto t0 = std::chrono::steady_clock::now();
  opt.progress = [&rep](const exec::CaseProgress& p) { rep.case_progress(p); };
  for (const auto* c : cases) {
    if (g_interrupted.load()) break;
    rep.case_started(c->id);
    exec::CaseResult r = run_one(*c, opt, g, in_process);
    if (r.stopped_by == "interrupted") break;
    summary.results.push_back(std::move(r));
    rep.case_finished(summary.results.back());
  }
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rep.run_finished(summary);
  if (g_interrupted.load()) {
    std::cerr << "strain: interrupted; " << summary.results.size() << " of " << cases.size()
              << " cases finished and were reported\n";
    return 130;
  }
  return summary.all_met() ? 0 : 1;
}

}  // namespace

Action add_run(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("run", "Run the cases of spec files or folders");
  auto f = std::make_shared<RunFlags>();
  cmd->add_option("specs", f->specs, "spec files or folders of specs")->required();
  cmd->add_option("--report", f->reports,
                  "also write a report: json:PATH or junit:PATH (repeatable)")
      ->type_size(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("--filter", f->filter,
                  "run only cases whose id matches: 'glob:glob-excluded:excluded'");
  cmd->add_flag("--keep-going", f->keep_going,
                "count every trial instead of stopping at the first failure");
  cmd->add_option("--seed", f->seed, "replace every spec's seed");
  cmd->add_option("--color", f->color, "auto, always or never");
  cmd->add_flag("--quiet", f->quiet, "print only the summary");
  cmd->add_flag("--in-process", f->in_process,
                "run cases inside strain itself (for a debugger); a crash then ends the run");
  return [f, &g]() {
    const plugin::Catalog catalog = load_catalog(g.plugin_path);
    const std::vector<spec::Spec> specs = load_specs(collect_spec_files(f->specs), catalog);
    std::vector<const spec::Case*> cases;
    for (const auto& s : specs)
      for (const auto& c : s.cases)
        if (matches_filter(c.id, f->filter)) cases.push_back(&c);
    if (cases.empty()) throw UsageError("no case matches the filter '" + f->filter + "'");
    report::Fanout rep = make_reporters(*f);
    exec::RunOptions opt;
    opt.keep_going = f->keep_going;
    opt.seed = f->seed;
    opt.tsan_build = tsan_build();
    return execute(cases, opt, rep, f->seed, g, f->in_process);
  };
}

Action add_replay(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("replay", "Run one trial of one case again");
  struct Flags {
    std::string id, spec, trace_in, trace_out;
    std::optional<std::uint64_t> seed, trial, steps;
    std::uint64_t repeat = 1;
    bool in_process = false;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("case", f->id, "the case id, as reports print it")->required();
  cmd->add_option("--seed", f->seed, "the spec seed of the failing run (default: the trace's)");
  cmd->add_option("--trial", f->trial, "the trial index (default: the trace's)");
  cmd->add_option("--spec", f->spec, "the spec file (default: specs/<spec name>.yaml)");
  cmd->add_option("--repeat", f->repeat, "run the trial this many times")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", f->steps,
                  "strategy controlled/pct: the k the trial ran with (replay lines give it)");
  cmd->add_option("--trace", f->trace_in,
                  "strategy controlled: follow the decisions recorded in this trace file");
  cmd->add_option("--record-trace", f->trace_out,
                  "strategy controlled: write the trial's decisions and interleaving here");
  cmd->add_flag("--in-process", f->in_process,
                "run the trial inside strain itself (for a debugger)");
  return [f, &g]() {
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
    const std::vector<spec::Spec> specs = load_specs(collect_spec_files({path}), catalog);
    const spec::Case* found = nullptr;
    for (const auto& c : specs.front().cases)
      if (c.id == f->id) found = &c;
    if (found == nullptr) throw UsageError("no case '" + f->id + "' in " + path);
    const bool controlled = found->schedule.strategy.name == "controlled";
    if (!controlled && (!f->trace_in.empty() || !f->trace_out.empty()))
      throw UsageError("--trace and --record-trace need a case under strategy controlled; " +
                       f->id + " runs under " + found->schedule.strategy.name);
    exec::RunOptions opt;
    opt.seed = f->seed;
    opt.only_trial = f->trial;
    opt.repeat = f->repeat;
    opt.keep_going = true;
    opt.tsan_build = tsan_build();
    opt.steps = f->steps;
    opt.trace_in = f->trace_in;
    opt.trace_out = f->trace_out;
    install_signal_handlers();
    const exec::CaseResult r = run_one(*found, opt, g, f->in_process);
    if (r.stopped_by == "error") throw UsageError("cannot replay " + f->id + ": " + r.note);
    const std::uint64_t failed = r.trials - r.outcomes[0];
    std::cout << "replay " << f->id << " seed " << *f->seed << " trial " << *f->trial << ": failed "
              << failed << " of " << r.trials << " runs";
    if (r.first_failure)
      std::cout << " (" << check::to_string(r.first_failure->outcome) << ": "
                << r.first_failure->message << ")";
    std::cout << "\n";
    // Under controlled every repetition runs the same interleaving; say so,
    // with the digest a run's report shows for the failure.
    if (r.schedules > 0) {
      std::cout << "interleavings: " << r.schedules << " distinct in " << r.trials << " runs";
      if (r.first_failure && !r.first_failure->schedule.empty())
        std::cout << " (failing schedule " << r.first_failure->schedule << ")";
      std::cout << "\n";
    }
    if (!f->trace_out.empty()) std::cout << "trace written to " << f->trace_out << "\n";
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace strain::cli
