#pragma once
// Finding scenario plugins on the plugin path and loading them with
// Boost.DLL. One bad file never stops the others: it becomes a LoadProblem.

#include <string>
#include <vector>

#include "plugin/scenario_info.hpp"

namespace strain::plugin {

//! The plugin path: `flag` when given (':'-separated), else the
//! STRAIN_PLUGIN_PATH environment variable, else `default_dir`.
std::vector<std::string> plugin_path(const std::string& flag, const std::string& default_dir);

//! How discover() treats the files it finds.
struct DiscoverOptions {
  //! Try every file in a child process first (probe.hpp), so that one that
  //! crashes, exits or hangs while loading is a problem, not the end of this
  //! process. Only while the process has a single thread.
  bool probe = false;
  //! Files already known unsafe (a parent's Catalog::unsafe): reported and
  //! not loaded, without probing.
  std::vector<std::string> unsafe;
};

//! Loads every plugin library (*.so) found in the directories (or named
//! directly as files) of `path`, in path order then name order.
Catalog discover(const std::vector<std::string>& path, const DiscoverOptions& options = {});

//! Loads one library file, adding its scenarios to `catalog` or, if it
//! cannot be used, a LoadProblem saying why.
void load_library(const std::string& file, Catalog& catalog);

}  // namespace strain::plugin
