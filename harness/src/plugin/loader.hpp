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

//! Loads every plugin library (*.so) found in the directories (or named
//! directly as files) of `path`, in path order then name order.
Catalog discover(const std::vector<std::string>& path);

//! Loads one library file, adding its scenarios to `catalog` or, if it
//! cannot be used, a LoadProblem saying why.
void load_library(const std::string& file, Catalog& catalog);

}  // namespace strain::plugin
