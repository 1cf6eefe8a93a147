// `strain __worker`: the hidden worker mode. The host re-executes itself with
// it to run one case in a child process (see exec/isolated_runner.hpp).

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/intensity.hpp"
#include "core/errors.hpp"
#include "exec/isolated_runner.hpp"

namespace strain::cli {

Action add_worker(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("__worker", "internal: run one case for a parent strain");
  cmd->group("");  // hidden from --help
  struct Flags {
    std::string spec, id;
    int result_fd = -1, live_fd = -1;
    std::uint64_t seed = 0, repeat = 1;
    std::optional<std::uint64_t> trial, steps;
    bool keep_going = false;
    std::string trace_in, trace_out, strategy;
    double intensity = 1.0;
    int parent_pid = 0;
    std::uint64_t first_trial = 0;
    std::optional<double> budget_s;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--spec", f->spec)->required();
  cmd->add_option("--case", f->id)->required();
  cmd->add_option("--result-fd", f->result_fd)->required();
  cmd->add_option("--live-fd", f->live_fd)->required();
  cmd->add_option("--seed", f->seed)->required();
  cmd->add_option("--trial", f->trial);
  cmd->add_option("--repeat", f->repeat);
  cmd->add_flag("--keep-going", f->keep_going);
  cmd->add_option("--steps", f->steps);
  cmd->add_option("--trace", f->trace_in);
  cmd->add_option("--record-trace", f->trace_out);
  cmd->add_option("--strategy", f->strategy);
  cmd->add_option("--intensity", f->intensity);
  cmd->add_option("--parent-pid", f->parent_pid);
  cmd->add_option("--first-trial", f->first_trial);
  cmd->add_option("--budget-s", f->budget_s);
  return [f, &g]() {
    // The worker ends with the strain that started it, even one killed by
    // SIGKILL (issue 13: the worker, and its role processes, ran on until
    // their budget). The check after it closes the race with a parent that
    // died before the prctl.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (f->parent_pid != 0 && ::getppid() != f->parent_pid) return 1;
    // Processes a plugin daemonises are re-parented to the worker while it
    // runs, and to the strain above it (also a subreaper) after.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    const auto catalog = load_worker_catalog(g.plugin_path);
    auto specs = load_specs({f->spec}, catalog);
    for (auto& c : specs.front().cases) {
      if (c.id != f->id) continue;
      // The parent changed its copy of the case alike (run --strategy,
      // --intensity).
      if (!f->strategy.empty()) apply_strategy_flag(c, f->strategy);
      apply_intensity(c, f->intensity);
      exec::RunOptions opt;
      opt.seed = f->seed;
      opt.keep_going = f->keep_going;
      opt.only_trial = f->trial;
      opt.repeat = f->repeat;
      opt.tsan_build = tsan_build();
      opt.steps = f->steps;
      opt.trace_in = f->trace_in;
      opt.trace_out = f->trace_out;
      // The worker inherits the parent's flag and environment, so it prints
      // the replay line the parent would.
      opt.command_prefix = command_prefix(g.plugin_path);
      opt.first_trial = f->first_trial;
      opt.budget_s = f->budget_s;
      return exec::worker_main(c, opt, f->result_fd, f->live_fd);
    }
    throw UsageError("no case '" + f->id + "' in " + f->spec);
  };
}

}  // namespace strain::cli
