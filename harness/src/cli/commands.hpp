#pragma once
// The subcommands, each registered on the CLI11 app by its own file
// (cmd_<name>.cpp; run and replay share case_launch.hpp).

#include <CLI/CLI.hpp>
#include <functional>

namespace strain::cli {

//! Options every subcommand takes.
struct Global {
  std::string plugin_path;
};

//! Each returns the action to run if its subcommand was chosen; the action
//! returns the exit code.
using Action = std::function<int()>;
Action add_run(CLI::App& app, const Global& g);
Action add_replay(CLI::App& app, const Global& g);
Action add_list(CLI::App& app, const Global& g);
Action add_validate(CLI::App& app, const Global& g);
Action add_plugins(CLI::App& app, const Global& g);
Action add_worker(CLI::App& app, const Global& g);
Action add_zygote(CLI::App& app, const Global& g);
Action add_merge(CLI::App& app, const Global& g);
Action add_new(CLI::App& app, const Global& g);

}  // namespace strain::cli
