// Plugin discovery and loading: good plugins load, every kind of broken
// file is reported by path and reason, and none stops the others.

#include "plugin/loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "plugin/probe.hpp"
#include "runtime/abi_types.hpp"
#include "runtime/tsan_build.hpp"
#include "strain/scenario.hpp"

namespace strain::plugin {
namespace {

const std::string kDir = STRAIN_TEST_PLUGIN_DIR;

const LoadProblem* problem_for(const Catalog& c, const std::string& file) {
  for (const auto& p : c.problems)
    if (p.path == file) return &p;
  return nullptr;
}

TEST(Loader, LoadsAScenarioWithItsDeclarations) {
  Catalog c;
  load_library(kDir + "/trivial.so", c);
  ASSERT_TRUE(c.problems.empty()) << c.problems.front().message;
  ASSERT_EQ(c.scenarios.size(), 1u);
  const ScenarioInfo& s = c.scenarios[0];
  EXPECT_EQ(s.name, "trivial");
  ASSERT_EQ(s.roles.size(), 2u);
  EXPECT_EQ(s.roles[0].name, "left");
  EXPECT_EQ(s.roles[1].name, "right");
  ASSERT_EQ(s.params.size(), 5u);
  EXPECT_EQ(s.params[0].name, "fail_every");
  EXPECT_EQ(s.params[0].type, ParamType::integer);
  EXPECT_EQ(s.params[0].default_value, check::Value::integer(0));
  EXPECT_EQ(s.params[2].name, "label");
  EXPECT_EQ(s.params[2].type, ParamType::string);
  EXPECT_TRUE(s.params[2].allowed.empty()) << "free text, for ids with shell syntax";
  EXPECT_EQ(s.params[3].name, "busy_ms");
  EXPECT_EQ(s.params[4].name, "check_seeds");
  EXPECT_EQ(s.params[4].type, ParamType::boolean);
  ASSERT_EQ(s.metrics.size(), 2u);
  EXPECT_EQ(s.metrics[0].name, "sum");
  EXPECT_NE(s.desc, nullptr);
  EXPECT_NE(s.library, nullptr);
}

TEST(Loader, AllowedValuesAreCopied) {
  Catalog c;
  load_library(kDir + "/faulty.so", c);
  ASSERT_EQ(c.scenarios.size(), 1u);
  const ParamInfo* mode = c.scenarios[0].find_param("mode");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->type, ParamType::string);
  EXPECT_EQ(mode->default_value, check::Value::string("none"));
  ASSERT_EQ(mode->allowed.size(), 7u);
  EXPECT_EQ(mode->allowed[1], check::Value::string("throw_in_role"));
}

TEST(Loader, MissingFileIsAProblem) {
  const Catalog c = discover({kDir + "/does_not_exist.so"});
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message, "plugin path entry does not exist");
  EXPECT_TRUE(c.scenarios.empty());
}

TEST(Loader, NonLibraryFileIsAProblem) {
  Catalog c;
  load_library(kDir + "/not_a_library.so", c);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message.rfind("not a loadable plugin library: ", 0), 0u)
      << c.problems[0].message;
}

TEST(Loader, LibraryWithoutScenarioIsAProblem) {
  Catalog c;
  load_library(kDir + "/no_scenario.so", c);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message, "no scenario registered (no STRAIN_SCENARIO in this library)");
}

TEST(Loader, UndefinedSymbolIsAProblemNamingIt) {
  Catalog c;
  load_library(kDir + "/undefined_symbol.so", c);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message.rfind("cannot load: ", 0), 0u) << c.problems[0].message;
  EXPECT_NE(c.problems[0].message.find("strain_test_function_nobody_defines"), std::string::npos)
      << c.problems[0].message;
  EXPECT_TRUE(c.scenarios.empty());
}

TEST(Loader, AbiMismatchNamesBothVersions) {
  Catalog c;
  load_library(kDir + "/abi_mismatch.so", c);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(
      c.problems[0].message,
      "scenario 'from_the_future' was built for strain ABI version 999, but this strain has ABI "
      "version " +
          std::to_string(strain::kAbiVersion) + "; rebuild the plugin");
  EXPECT_TRUE(c.scenarios.empty());
}

TEST(Loader, OneBadFileDoesNotStopTheOthers) {
  const Catalog c = discover({kDir});
  EXPECT_NE(c.find("trivial"), nullptr);
  EXPECT_NE(c.find("faulty"), nullptr);
  EXPECT_NE(c.find("fault"), nullptr);
  EXPECT_NE(c.find("role_threads"), nullptr);
  EXPECT_NE(problem_for(c, kDir + "/abi_mismatch.so"), nullptr);
  EXPECT_NE(problem_for(c, kDir + "/no_scenario.so"), nullptr);
  EXPECT_NE(problem_for(c, kDir + "/not_a_library.so"), nullptr);
  EXPECT_NE(problem_for(c, kDir + "/undefined_symbol.so"), nullptr);
  EXPECT_NE(c.find("hostile"), nullptr);
  EXPECT_NE(c.find("accesses"), nullptr);
  EXPECT_NE(c.find("litmus"), nullptr);
  // spin_plain and fiber_roles are built with INSTRUMENT: they call the
  // __tsan_* entry points, which strain exports and which this test program
  // has only when it is built with ThreadSanitizer (its runtime defines them).
  constexpr bool kTsanRuntime = STRAIN_IS_TSAN_BUILD;
  for (const char* instrumented : {"spin_plain", "fiber_roles"}) {
    if (kTsanRuntime) {
      EXPECT_NE(c.find(instrumented), nullptr) << instrumented;
    } else {
      const auto* p = problem_for(c, kDir + "/" + instrumented + ".so");
      ASSERT_NE(p, nullptr) << instrumented;
      EXPECT_NE(p->message.find("__tsan_"), std::string::npos) << p->message;
    }
  }
  EXPECT_NE(c.find("fiber_tls"), nullptr);
  EXPECT_EQ(c.scenarios.size(), kTsanRuntime ? 15u : 13u);
}

// The thread_local data a plugin brings beyond the runtime's own: fiber_tls
// keeps an int per thread, fiber_lib_tls none but the library it links
// (libstrain_test_tls) keeps one, trivial nothing.
TEST(Loader, ThreadLocalDataAPluginBringsIsMeasured) {
  const Catalog c =
      discover({kDir + "/fiber_tls.so", kDir + "/fiber_lib_tls.so", kDir + "/trivial.so"});
  const auto* own = c.find("fiber_tls");
  const auto* lib = c.find("fiber_lib_tls");
  const auto* none = c.find("trivial");
  ASSERT_TRUE(own != nullptr && lib != nullptr && none != nullptr);
  EXPECT_GE(own->thread_locals.bytes, sizeof(int));
  EXPECT_NE(own->thread_locals.where.find("fiber_tls.so ("), std::string::npos)
      << own->thread_locals.where;
  EXPECT_GE(lib->thread_locals.bytes, sizeof(int));
  EXPECT_NE(lib->thread_locals.where.find("libstrain_test_tls.so ("), std::string::npos)
      << lib->thread_locals.where;
  EXPECT_EQ(lib->thread_locals.where.find("fiber_lib_tls.so"), std::string::npos)
      << lib->thread_locals.where;
  EXPECT_EQ(none->thread_locals.bytes, 0u);
  EXPECT_EQ(none->thread_locals.where, "");
  // Loaded again by another catalog of the process: the same measure.
  const Catalog again = discover({kDir + "/fiber_lib_tls.so"});
  ASSERT_NE(again.find("fiber_lib_tls"), nullptr);
  EXPECT_EQ(again.find("fiber_lib_tls")->thread_locals.bytes, lib->thread_locals.bytes);
}

TEST(Loader, DuplicateScenarioIsSkippedWithTheFirstKept) {
  const Catalog c = discover({kDir + "/trivial.so", kDir + "/trivial.so"});
  EXPECT_EQ(c.scenarios.size(), 1u);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].message,
            "scenario 'trivial' is already provided by " + kDir + "/trivial.so; skipped");
}

// Plugins that take the loading process down: probed in a child, each is a
// problem naming how it went down, and the good ones still load.
const std::string kCrashing = STRAIN_CRASHING_PLUGIN_DIR;

TEST(Loader, ProbedPluginsThatCrashWhileLoadingAreProblems) {
  const Catalog c = discover({kCrashing, kDir + "/trivial.so", kDir + "/faulty.so"},
                             DiscoverOptions{.probe = true, .unsafe = {}});
  ASSERT_EQ(c.scenarios.size(), 2u);
  EXPECT_NE(c.find("trivial"), nullptr);
  EXPECT_NE(c.find("faulty"), nullptr);
  ASSERT_EQ(c.problems.size(), 3u);
  EXPECT_EQ(c.problems[0].path, kCrashing + "/abort_in_declare.so");
  EXPECT_EQ(c.problems[0].message, "crashed while loading: SIGABRT (Aborted)");
  EXPECT_EQ(c.problems[1].path, kCrashing + "/exit_at_load.so");
  EXPECT_EQ(c.problems[1].message, "exited with status 3 while loading");
  EXPECT_EQ(c.problems[2].path, kCrashing + "/segv_at_load.so");
  EXPECT_EQ(c.problems[2].message, "crashed while loading: SIGSEGV (Segmentation fault)");
  EXPECT_EQ(c.unsafe, (std::vector<std::string>{kCrashing + "/abort_in_declare.so",
                                                kCrashing + "/exit_at_load.so",
                                                kCrashing + "/segv_at_load.so"}));
}

TEST(Loader, ProbingLeavesOtherProblemsToTheLoader) {
  // A file that is merely unusable probes as safe and is reported as before.
  const Catalog c =
      discover({kDir + "/abi_mismatch.so", kDir + "/not_a_library.so", kDir + "/trivial.so"},
               DiscoverOptions{.probe = true, .unsafe = {}});
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_EQ(c.problems[0].message.rfind("scenario 'from_the_future' was built for", 0), 0u)
      << c.problems[0].message;
  EXPECT_EQ(c.problems[1].message.rfind("not a loadable plugin library: ", 0), 0u)
      << c.problems[1].message;
  EXPECT_TRUE(c.unsafe.empty());
  EXPECT_NE(c.find("trivial"), nullptr);
}

TEST(Loader, FilesKnownUnsafeAreSkippedWithoutProbing) {
  // Without probing, loading segv_at_load.so here would end this test.
  const std::string segv = kCrashing + "/segv_at_load.so";
  const Catalog c =
      discover({segv, kDir + "/trivial.so"}, DiscoverOptions{.probe = false, .unsafe = {segv}});
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].path, segv);
  EXPECT_EQ(c.problems[0].message, "found unsafe to load by the strain that started this one");
  EXPECT_EQ(c.unsafe, std::vector<std::string>{segv});
  EXPECT_NE(c.find("trivial"), nullptr);
}

TEST(Probe, APluginThatHangsWhileLoadingIsKilled) {
  const std::vector<std::string> files{STRAIN_HANGING_PLUGIN_DIR "/hang_at_load.so",
                                       kDir + "/trivial.so"};
  const std::vector<std::string> why = probe_libraries(files, std::chrono::milliseconds(300));
  ASSERT_EQ(why.size(), 2u);
  EXPECT_EQ(why[0], "hung while loading (killed after 0.3 s)");
  EXPECT_EQ(why[1], "");
}

TEST(PluginPath, FlagThenEnvironmentThenDefault) {
  ::unsetenv("STRAIN_PLUGIN_PATH");
  EXPECT_EQ(plugin_path("", "/def"), std::vector<std::string>{"/def"});
  ::setenv("STRAIN_PLUGIN_PATH", "/e1::/e2", 1);
  EXPECT_EQ(plugin_path("", "/def"), (std::vector<std::string>{"/e1", "/e2"}));
  EXPECT_EQ(plugin_path("/f1:/f2", "/def"), (std::vector<std::string>{"/f1", "/f2"}));
  ::unsetenv("STRAIN_PLUGIN_PATH");
}

}  // namespace
}  // namespace strain::plugin
