// Hostile spec input (issue 13): each input that once aborted strain, ate
// memory or ran something other than what was written is now rejected whole,
// at the key that crossed a limit, with the limit named.

#include "spec/limits.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/abi_types.hpp"
#include "spec/load.hpp"

namespace strain::spec {
namespace {

using check::Value;

plugin::Catalog catalog() {
  plugin::ScenarioInfo s;
  s.name = "p";
  s.params = {{"n", "", ParamType::integer, Value::integer(1), {}},
              {"x", "", ParamType::number, Value::number(0.5), {}},
              {"s", "", ParamType::string, Value::string("a"), {}}};
  s.roles = {{"a", ""}, {"b", ""}};
  plugin::Catalog c;
  c.scenarios = {s};
  return c;
}

std::vector<std::string> errors_of(const std::string& yaml) {
  try {
    const Spec spec = parse_spec(yaml, "t.yaml", catalog());
    (void)spec;
  } catch (const SpecError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.str());
    return out;
  }
  return {};
}

std::vector<std::string> one(std::string e) { return {std::move(e)}; }

const std::string kCase = "cases: [ { name: c } ]\n";

TEST(SpecLimits, DurationsPastAWeekAreRefusedNotWrapped) {
  // 2600000h once wrapped the deadline into the past: one trial, MET.
  EXPECT_EQ(errors_of("plugin: p\nschedule: { budget: 2600000h }\n" + kCase),
            one("t.yaml:2:21: 'budget' must be at most 168h (the limit for a duration), got "
                "'2600000h'"));
  EXPECT_EQ(errors_of("plugin: p\nschedule: { timeout: 169h }\n" + kCase),
            one("t.yaml:2:22: 'timeout' must be at most 168h (the limit for a duration), got "
                "'169h'"));
  EXPECT_TRUE(errors_of("plugin: p\nschedule: { budget: 168h }\n" + kCase).empty());
}

TEST(SpecLimits, TimeScaleIsBounded) {
  // 1e308 overflowed each sleep's duration and dropped the sleep silently.
  for (const char* v : {"1e308", "1001"})
    EXPECT_EQ(errors_of(std::string("plugin: p\nschedule: { time_scale: ") + v + " }\n" + kCase),
              one(std::string("t.yaml:2:25: 'time_scale' must be a number in [0, 1000], got '") +
                  v + "'"));
  EXPECT_TRUE(errors_of("plugin: p\nschedule: { time_scale: 1000 }\n" + kCase).empty());
}

TEST(SpecLimits, RoleCountsNeitherWrapNorExhaustTheWorker) {
  // {a: 2147483647, b: 1} wrapped the total and said "got 0".
  EXPECT_EQ(errors_of("plugin: p\nschedule: { roles: { a: 2147483647, b: 1 } }\n" + kCase),
            one("t.yaml:2:25: 'a' must be an integer in [0, 1024] (the limit of role instances "
                "per case), got '2147483647'"));
  // 100,000 instances aborted the worker, blamed on the plugin.
  EXPECT_EQ(errors_of("plugin: p\nschedule: { roles: { a: 100000 } }\n" + kCase),
            one("t.yaml:2:25: 'a' must be an integer in [0, 1024] (the limit of role instances "
                "per case), got '100000'"));
  // Each under the limit, together over it.
  EXPECT_EQ(errors_of("plugin: p\nschedule: { roles: { a: 1000, b: 1000 } }\n" + kCase),
            one("t.yaml:2:20: roles total 2000 instances, past the limit of 1024 per case"));
  EXPECT_TRUE(errors_of("plugin: p\nschedule: { roles: { a: 1000, b: 24 } }\n" + kCase).empty());
}

TEST(SpecLimits, MatrixProductIsCountedBeforeExpansion) {
  // The matrix: 12 axes x 10 values ate 7.4 GB in 120 s. Now it is
  // refused at once, naming the axis that crossed the limit.
  const std::string ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
  std::string yaml = "plugin: p\nmatrix:\n";
  for (const char* key :
       {"params.n", "params.x", "schedule.seed", "schedule.roles.a", "schedule.trials",
        "schedule.roles.b", "schedule.strategy.spin_iters", "schedule.strategy.sleep_us",
        "schedule.strategy.depth", "schedule.strategy.steps", "schedule.strategy.spin_limit",
        "schedule.strategy.starve_max_us"})
    yaml += std::string("  ") + key + ": " + ten + "\n";
  // trials, depth and spin_limit must be >= 1: shift their values.
  for (const char* key : {"schedule.trials: [0", "depth: [0", "spin_limit: [0"}) {
    const auto at = yaml.find(key);
    yaml.replace(at + std::string(key).size() - 1, 1, "10");
  }
  EXPECT_EQ(errors_of(yaml + kCase),
            one("t.yaml:8:3: matrix key 'schedule.roles.b' (10 values) takes the spec to at least "
                "1000000 cases, past the limit of 100000 cases per spec"));
  // 10 x 10 x 10 x 10 x 10 is exactly the limit, and fine.
  std::string four = "plugin: p\nmatrix:\n";
  for (const char* key :
       {"params.n", "params.x", "schedule.seed", "schedule.roles.a", "schedule.strategy.sleep_us"})
    four += std::string("  ") + key + ": " + ten + "\n";
  four += "schedule: { roles: { b: 1 } }\n";
  EXPECT_TRUE(errors_of(four + kCase).empty());
}

TEST(SpecLimits, ManyCaseEntriesCountTowardsTheLimit) {
  std::string yaml = "plugin: p\nmatrix: { params.n: [";
  for (int k = 0; k < 100; ++k) yaml += (k ? ", " : "") + std::to_string(k);
  yaml += "] }\ncases:\n";
  for (int k = 0; k < 1001; ++k) yaml += "  - { name: c" + std::to_string(k) + " }\n";
  const auto errs = errors_of(yaml);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "t.yaml:2:11: matrix key 'params.n' (100 values) takes the spec to 100100 cases, past "
            "the limit of 100000 cases per spec");
}

TEST(SpecLimits, OneValueTwiceInAnAxisIsAnError) {
  // [1, 1, 01] made two cases with one id, and merge of their shards failed.
  EXPECT_EQ(
      errors_of("plugin: p\nmatrix: { params.n: [1, 1, 01] }\n" + kCase),
      (std::vector<std::string>{"t.yaml:2:25: 'params.n' lists the value 1 twice",
                                "t.yaml:2:28: 'params.n' lists the value 01 twice (as '1')"}));
  EXPECT_EQ(errors_of("plugin: p\nmatrix: { schedule.roles.a: [2, 02] }\n" + kCase),
            one("t.yaml:2:33: 'schedule.roles.a' lists the value 02 twice (as '2')"));
  // A string param's "1" and "01" are different values.
  EXPECT_TRUE(errors_of("plugin: p\nmatrix: { params.s: ['1', '01'] }\n" + kCase).empty());
}

TEST(SpecLimits, DistinctValuesThatSpellOneIdAreAnError) {
  EXPECT_EQ(errors_of("plugin: p\nmatrix: { params.s: ['a,s=b', a] }\ncases:\n"
                      "  - { name: c, matrix: { params.s: ['a,s=b'] } }\n"
                      "  - { name: c/s=a }\n")
                .size(),
            1u);
}

TEST(SpecLimits, ControlCharactersCannotReachACaseId) {
  EXPECT_EQ(
      errors_of("plugin: p\nmatrix: { params.s: [\"\\e[31mred\\a\", \"x\\r\\ny\"] }\n" + kCase),
      (std::vector<std::string>{
          "t.yaml:2:22: 'params.s' has a value with a control character, which a case id "
          "cannot hold",
          "t.yaml:2:37: 'params.s' has a value with a control character, which a case id "
          "cannot hold"}));
}

TEST(SpecLimits, ASecondDocumentIsRejectedWhereItStarts) {
  EXPECT_EQ(errors_of("plugin: p\n" + kCase + "---\nplugin: p\n" + kCase),
            one("t.yaml:3:1: a spec file holds one YAML document; a second one starts here"));
  EXPECT_EQ(errors_of("---\nplugin: p\n" + kCase + "---\n"),
            one("t.yaml:4:1: a spec file holds one YAML document; a second one starts here"));
  EXPECT_TRUE(errors_of("---\nplugin: p\n" + kCase).empty());
  EXPECT_TRUE(errors_of("%YAML 1.2\n---\nplugin: p\n" + kCase + "...\n").empty());
  EXPECT_EQ(errors_of("plugin: p\n" + kCase + "...\nplugin: q\n"),
            one("t.yaml:4:1: a spec file holds one YAML document; a second one starts here"));
  // A directive after a document: yaml-cpp's LoadAll looped forever on it
  // (found by spec_fuzz); this input must end, with the error.
  EXPECT_EQ(errors_of("plugin: p\n%atrix: { params.n: [1] }\n" + kCase),
            one("t.yaml:2:1: a spec file holds one YAML document; a second one starts here"));
}

TEST(SpecLimits, ASpecPastTheSizeLimitIsNotParsed) {
  const std::string big = "plugin: p\n" + kCase + "# " + std::string(limits::kMaxSpecBytes, 'x');
  EXPECT_EQ(errors_of(big), one("t.yaml:1:1: spec is larger than the limit of 1048576 bytes (a "
                                "spec is a few KiB; is this the right file?)"));
}

// load_spec reads only regular files: /dev/zero once grew to 4.2 GB and
// std::bad_alloc, a FIFO blocked forever, a symlink loop aborted strain.
std::string load_error(const std::string& path) {
  try {
    load_spec(path, catalog());
  } catch (const SpecError& e) {
    return e.diagnostics().front().str();
  }
  return "";
}

TEST(SpecLimits, OnlyRegularFilesAreReadAsSpecs) {
  EXPECT_EQ(load_error("/dev/zero"),
            "/dev/zero:1:1: cannot read spec: the path is a character device, not a regular file");
  const auto dir =
      std::filesystem::temp_directory_path() / ("strain-limits-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "fifo.yaml").string();
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_error(fifo),
            fifo + ":1:1: cannot read spec: the path is a FIFO, not a regular file");
  const std::string loop = (dir / "loop.yaml").string();
  std::filesystem::remove(loop);
  std::filesystem::create_symlink(loop, loop);
  EXPECT_EQ(load_error(loop), loop + ":1:1: cannot read spec: Too many levels of symbolic links");
  EXPECT_EQ(load_error(dir.string()),
            dir.string() + ":1:1: cannot read spec: the path is a directory, not a regular file");
  const std::string huge = (dir / "huge.yaml").string();
  {
    std::ofstream out(huge);
    out << "plugin: p\n" << kCase << "# " << std::string(2 * limits::kMaxSpecBytes, 'x') << "\n";
  }
  EXPECT_EQ(load_error(huge), huge +
                                  ":1:1: spec is larger than the limit of 1048576 bytes (a spec "
                                  "is a few KiB; is this the right file?)");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strain::spec
