// `strain __worker`: the hidden worker mode. The host re-executes itself with
// it to run one case in a child process (see exec/isolated_runner.hpp).
// `strain __zygote`: the process that forks those workers instead, once it
// runs (see exec/zygote.hpp).

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/intensity.hpp"
#include "core/errors.hpp"
#include "exec/isolated_runner.hpp"
#include "exec/zygote.hpp"
#include "model/run_plan.hpp"
#include "plugin/loader.hpp"
#include "spec/load.hpp"

namespace strain::cli {

namespace {

// The plan's spec, its plugin loaded: just the library that holds the
// case's scenario (a spec names one plugin), not every library on the path
// with their static constructors. `catalog` holds it: the spec's scenario
// lives as long as it.
std::vector<spec::Spec> load_case_spec(const model::RunPlan& plan, const Global& g,
                                       plugin::Catalog& catalog) {
  if (plan.plugin_file.empty())
    catalog = load_worker_catalog(g.plugin_path);  // its scenario did not load
  else
    plugin::load_library(plan.plugin_file, catalog);
  // The case alone: the parent checked the whole spec.
  return {spec::load_spec(plan.spec_path, catalog, spec::only_case(plan.case_id))};
}

// The worker's whole life once started, exec'd or forked by the zygote:
// runs the plan's case, reporting on `result_fd` and `live_fd`.
int run_worker(const std::string& plan_json, int result_fd, int live_fd, int parent_pid,
               const Global& g) {
  // The worker ends with the strain that started it, even one killed by
  // SIGKILL (issue 13: the worker, and its role processes, ran on until
  // their budget). The check after it closes the race with a parent that
  // died before the prctl.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (parent_pid != 0 && ::getppid() != parent_pid) return 1;
  // Processes a plugin daemonises are re-parented to the worker while it
  // runs, and to the strain above it (also a subreaper) after.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  model::RunPlan plan;
  try {
    plan = model::run_plan_from_json(plan_json);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  plugin::Catalog catalog;
  std::vector<spec::Spec> specs = load_case_spec(plan, g, catalog);
  for (auto& c : specs.front().cases) {
    if (c.id != plan.case_id) continue;
    // The parent changed its copy of the case alike.
    if (!plan.strategy_flag.empty()) apply_strategy_flag(c, plan.strategy_flag);
    apply_fibers_flag(c, plan.fibers_flag);
    apply_intensity(c, plan.intensity);
    return exec::worker_main(c, plan, result_fd, live_fd);
  }
  throw UsageError("no case '" + plan.case_id + "' in " + plan.spec_path);
}

}  // namespace

Action add_worker(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("__worker", "internal: run one case for a parent strain");
  cmd->group("");  // hidden from --help
  struct Flags {
    std::string plan;
    int result_fd = -1, live_fd = -1;
    int parent_pid = 0;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--plan", f->plan, "the case to run, as JSON (model/run_plan.hpp)")->required();
  cmd->add_option("--result-fd", f->result_fd)->required();
  cmd->add_option("--live-fd", f->live_fd)->required();
  cmd->add_option("--parent-pid", f->parent_pid);
  return [f, &g]() { return run_worker(f->plan, f->result_fd, f->live_fd, f->parent_pid, g); };
}

Action add_zygote(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("__zygote", "internal: fork workers for a parent strain");
  cmd->group("");  // hidden from --help
  auto host = std::make_shared<int>(0);
  cmd->add_option("--parent-pid", *host)->required();
  return [host, &g]() {
    // Descriptor 3 is the socket to the host; in each worker forked, the
    // call returns that worker's exit code, which main returns.
    // The workers are this process's children: their parent-death check
    // is against it.
    const pid_t self = ::getpid();
    const int rc = exec::serve_zygote(
        3, *host, [&g, self](const std::string& plan) { return run_worker(plan, 3, 4, self, g); });
    return rc < 0 ? 0 : rc;
  };
}

}  // namespace strain::cli
