#pragma once
// The command that runs one trial of a case again, as reports print it.

#include <cstdint>
#include <string>
#include <vector>

#include "spec/spec.hpp"

namespace strain::exec {

//! Quoted for the shell: `prefix` (RunPlan::command_prefix; empty is
//! "strain"), `replay`, the case id, the spec seed, the trial and the spec's
//! absolute path; `steps` (PCT's learned k, if not 0) is passed on with
//! --steps, and a run's --strategy with --strategy.
std::string replay_command(const spec::Case& c, std::uint64_t spec_seed, std::uint64_t trial,
                           std::uint64_t steps = 0, const std::vector<std::string>& prefix = {});

}  // namespace strain::exec
