#pragma once
// What the subcommands share: the plugin catalog, finding and loading specs,
// case filters.

#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"
#include "plugin/scenario_info.hpp"
#include "spec/load.hpp"
#include "spec/spec.hpp"

namespace CLI {
class App;
}

namespace strain::cli {

//! Where plugins are looked for when no path is given: the build tree's
//! plugin folder, or <prefix>/<libdir>/strain for an installed strain.
std::string default_plugin_dir();

//! How a command strain prints for a human starts (unquoted words): this
//! strain, as `strain` when that name on $PATH is this very binary and by
//! its absolute path otherwise, then `--plugin-path P` with every entry made
//! absolute when the path in effect (flag or $STRAIN_PLUGIN_PATH) is not the
//! default one. A pasted replay line then finds the same binary and plugins
//! from any folder and any environment.
std::vector<std::string> command_prefix(const std::string& plugin_path_flag);

//! Loads the plugins on the path given by --plugin-path (or the environment,
//! or the build's plugin folder), each tried first in a child process so
//! that one that crashes while loading is skipped with a problem. Call it
//! once per command, before any thread is started.
plugin::Catalog load_catalog(const std::string& plugin_path_flag);

//! The worker's side of load_catalog(): loads the same path without probing
//! again, skipping the files its parent strain found unsafe.
plugin::Catalog load_worker_catalog(const std::string& plugin_path_flag);

//! The spec files named by `args`: files as given, folders searched, subfolders included, for
//! *.yaml/*.yml (sorted). Throws UsageError for a path that does not exist.
std::vector<std::string> collect_spec_files(const std::vector<std::string>& args);

//! Loads every spec. Errors of all files are gathered into one SpecError, so
//! a user sees every problem at once and nothing runs.
//! With `wanted`, only the cases it accepts are built (spec/load.hpp).
std::vector<spec::Spec> load_specs(const std::vector<std::string>& files,
                                   const plugin::Catalog& catalog,
                                   const spec::CaseFilter& wanted = {});

//! Applies `--strategy text` to a case (spec/strategy_override.hpp); throws
//! UsageError for a text that is no strategy.
void apply_strategy_flag(spec::Case& c, const std::string& text);
//! Applies `--fibers` (flag > 0) or `--no-fibers` (flag < 0) to a case:
//! under `controlled` its roles run as fibers, or as threads, whatever
//! schedule.strategy.fibers says; other strategies ignore it, as they
//! ignore the key. 0: neither given.
void apply_fibers_flag(spec::Case& c, int flag);
//! Adds --fibers and --no-fibers to `cmd`, the same for run and replay.
void add_fibers_flags(CLI::App* cmd, int& flag);

//! The files a run reads, which no output may overwrite: its specs and the
//! plugin libraries on its path (those that loaded and those that did not).
std::vector<std::string> run_inputs(const std::vector<spec::Spec>& specs,
                                    const plugin::Catalog& catalog);

//! Each spec with a hash of its file's bytes ("fnv1a64:" and 16 hex digits).
std::vector<model::SpecFile> spec_files(const std::vector<spec::Spec>& specs);

//! gtest-style filter: "pos1:pos2-neg1:neg2" with * and ? wildcards; empty
//! matches everything.
bool matches_filter(std::string_view id, std::string_view filter);

//! True in the ThreadSanitizer build.
constexpr bool tsan_build() {
#ifdef STRAIN_BUILD_TSAN
  return true;
#else
  return false;
#endif
}

}  // namespace strain::cli
