#pragma once
// What `strain run` and `strain replay` share: the plan of a case, running
// it in a worker (or in-process for a debugger), the interrupt flag that
// SIGINT and SIGTERM raise, and --verbose's settings.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "exec/case_run.hpp"

namespace strain::cli {

//! Set by SIGINT/SIGTERM once install_signal_handlers() ran: the running
//! case's worker is killed, the reports of the cases that finished are
//! written, and strain exits 130.
void install_signal_handlers();
bool interrupted();
const std::atomic<bool>& interrupted_flag();

//! The plan of `c` in repetition `r` of this run: what is the same for
//! every case (the build, the printed command's prefix, the intensity) and
//! the seed.
model::RunPlan make_plan(const spec::Case& c, std::optional<std::uint64_t> run_seed,
                         std::uint64_t r, double intensity, const Global& g);

//! Runs one case: in a worker process unless asked to stay in-process (for
//! a debugger), where a crash takes strain down with it.
model::CaseResult run_one(const spec::Case& c, const model::RunPlan& plan,
                          const exec::CaseHooks& hooks, const Global& g, bool in_process);

//! --verbose: what a case runs with, and how to run it under a debugger
//! (`prefix` as RunPlan::command_prefix).
void print_settings(const spec::Case& c, std::uint64_t seed, std::vector<std::string> prefix);

}  // namespace strain::cli
