#pragma once
// Runs a case in a child process so nothing a plugin does can take the host
// down: a worker forked by the run's zygote (exec/zygote.hpp), or the host
// re-executed in worker mode (never fork() from the threaded host: TSan and
// fork of a multithreaded process do not mix).

#include <atomic>
#include <string>
#include <vector>

#include "exec/case_run.hpp"

namespace strain::exec {

//! How to start a worker: the strain executable and the arguments that
//! come before the worker's own (e.g. --plugin-path).
struct WorkerLaunch {
  std::string exe;
  std::vector<std::string> global_args;
  std::size_t output_limit = 64 * 1024;  // bytes of plugin output kept
  //! Set by a signal handler to end the run: the child is killed and the
  //! result comes back with stopped_by == model::StopReason::interrupted.
  const std::atomic<bool>* interrupted = nullptr;
};

//! The path of the running executable (/proc/self/exe resolved).
std::string self_exe();

//! Runs `c` in a worker process and returns its result. A crash, abort,
//! exit(), hang or flood of output in the plugin becomes an outcome of the
//! trial that was running; the counts of trials already finished are kept.
//! The worker is handed `plan` whole; `hooks` hear its progress and first
//! failure as if the case ran here.
model::CaseResult run_isolated(const spec::Case& c, const model::RunPlan& plan,
                               const CaseHooks& hooks, const WorkerLaunch& launch);

//! The worker side: runs `c` in this process as `plan` says, reporting to
//! the result pipe `result_fd` and the counters mapped from `live_fd`.
//! Returns the exit code.
int worker_main(const spec::Case& c, const model::RunPlan& plan, int result_fd, int live_fd);

}  // namespace strain::exec
