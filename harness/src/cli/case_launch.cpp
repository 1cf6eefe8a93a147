#include "cli/case_launch.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "cli/common.hpp"
#include "core/shell_quote.hpp"
#include "exec/isolated_runner.hpp"
#include "report/format.hpp"
#include "spec/strategy_override.hpp"

namespace strain::cli {

namespace {

// Set by SIGINT/SIGTERM.
std::atomic<bool> g_interrupted{false};

void on_signal(int) { g_interrupted.store(true); }

}  // namespace

const std::atomic<bool>& interrupted_flag() { return g_interrupted; }
bool interrupted() { return g_interrupted.load(); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

namespace {

model::CaseResult run_as_planned(const spec::Case& c, const model::RunPlan& plan,
                                 const exec::CaseHooks& hooks, const Global& g, bool in_process) {
  if (in_process) return exec::run_case(c, plan, hooks);
  exec::WorkerLaunch launch;
  launch.exe = exec::self_exe();
  if (!g.plugin_path.empty()) launch.global_args = {"--plugin-path", g.plugin_path};
  launch.interrupted = &g_interrupted;
  return exec::run_isolated(c, plan, hooks, launch);
}

}  // namespace

model::CaseResult run_one(const spec::Case& c, const model::RunPlan& plan,
                          const exec::CaseHooks& hooks, const Global& g, bool in_process) {
  model::CaseResult r = run_as_planned(c, plan, hooks, g, in_process);
  // The default strategy falls back to a real scheduler only for code it
  // cannot steer (issue 11): a trial that hung with no schedule point passed
  // blocks or spins where the controlled scheduler does not see, and would
  // hang every time; under chaos it runs as it would anyway. A strategy
  // the spec or --strategy named is kept: the user asked for it. A replay
  // (only_trial) replays what the run printed, which names chaos.
  if (!r.unsteerable || !c.strategy_defaulted || plan.only_trial || interrupted()) return r;
  spec::Case fallback = c;
  spec::override_strategy(fallback, "chaos");
  model::RunPlan chaos = plan;
  chaos.strategy_flag = fallback.strategy_flag;
  const std::string why =
      r.first_failure ? r.first_failure->message.substr(0, r.first_failure->message.find('\n'))
                      : std::string("a trial hung");
  model::CaseResult again = run_as_planned(fallback, chaos, hooks, g, in_process);
  again.note = fmt::format(
      "the controlled scheduler could not steer this code ({}; no schedule point was passed: "
      "the turn holder blocks or spins where the scheduler does not see), so the case ran "
      "under chaos instead{}{}",
      why, again.note.empty() ? "" : "; ", again.note);
  return again;
}

model::RunPlan make_plan(const spec::Case& c, std::optional<std::uint64_t> run_seed,
                         std::uint64_t r, double intensity, const Global& g) {
  model::RunPlan plan = exec::plan_for(c, run_seed, r);
  plan.intensity = intensity;
  plan.tsan_build = tsan_build();
  plan.command_prefix = command_prefix(g.plugin_path);
  return plan;
}

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
      s.timeout_s, s.time_scale, model::label(s.strategy), s.strategy.yield_p, s.strategy.spin_p,
      s.strategy.sleep_p, seed);
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

}  // namespace strain::cli
