// The layers of harness/src: a folder includes only the folders below it
// (and itself, and the public API). A new include that goes up or sideways
// fails here, naming the file and line; a new folder fails until it is
// given its place. The layers:
//
//   cli -> exec -> {sched, spec, tsan, check, fixtures, plugin} -> core, model
//   report -> core, model;  intercept, instrument -> sched
//   runtime (the plugin runtime and the ABI's plain data) depends on the
//   public API only, and everything that reads a plugin's data reads it
//
// CMake links one target per folder along the same arrows.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"model", {}},
      {"runtime", {}},  // the plugin runtime's compiled half, and its ABI types
      {"core", {"model", "runtime"}},
      {"check", {"core", "model"}},
      {"tsan", {"core", "model"}},
      {"plugin", {"check", "core", "model", "runtime"}},
      {"fixtures", {"check", "core", "model", "runtime"}},
      {"spec", {"plugin", "fixtures", "check", "core", "model", "runtime"}},
      {"sched", {"core", "model", "runtime"}},
      {"intercept", {"sched", "core", "model", "runtime"}},
      {"instrument", {"sched", "core", "model", "runtime"}},
      {"report", {"core", "model"}},
      {"exec",
       {"sched", "spec", "tsan", "check", "fixtures", "plugin", "core", "model", "runtime"}},
      {"cli",
       {"exec", "report", "sched", "spec", "tsan", "check", "fixtures", "plugin", "core", "model",
        "runtime"}},
  };
  return m;
}

TEST(Layering, EveryIncludeGoesDown) {
  const fs::path src = fs::path(STRAIN_SOURCE_DIR) / "harness" / "src";
  const std::regex include(R"re(^\s*#\s*include\s*"([A-Za-z_]+)/)re");
  std::size_t files = 0, includes = 0;
  for (const auto& folder : fs::directory_iterator(src)) {
    if (!folder.is_directory()) continue;
    const std::string name = folder.path().filename().string();
    const auto rule = allowed().find(name);
    ASSERT_NE(rule, allowed().end())
        << "harness/src/" << name << " has no place in the layer map of " << __FILE__;
    for (const auto& f : fs::recursive_directory_iterator(folder.path())) {
      if (!f.is_regular_file()) continue;
      ++files;
      std::ifstream in(f.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        ++includes;
        const std::string to = m[1];
        if (to == name || to == "strain") continue;
        EXPECT_TRUE(rule->second.count(to)) << fs::relative(f.path(), src).string() << ":" << n
                                            << " includes " << to << "/, which " << name
                                            << "/ may not (it may include: the public API" <<
            [&] {
              std::string s;
              for (const auto& a : rule->second) s += ", " + a + "/";
              return s;
            }() << ")";
      }
    }
  }
  // The scan saw the tree, not an empty folder.
  EXPECT_GT(files, 100u);
  EXPECT_GT(includes, 200u);
  std::cout << "checked " << includes << " includes in " << files << " files\n";
}

}  // namespace
