// The habits users bring from gtest, ctest and Catch2, on the real binary:
// global flags after the command, a suggestion for a misspelt one,
// --repeat under a new seed each time, --shuffle with its seed, --fail-fast,
// --intensity, NO_COLOR and TERM=dumb, a live line that fits the terminal,
// spec folders searched with their subfolders, and what CTest needs.

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

const std::string kMet = "tests/integration/specs/trivial_met.yaml";
const std::string kUnmet = "tests/integration/specs/trivial_unmet.yaml";
const std::string kShard = "tests/integration/specs/shard.yaml";

std::vector<std::string> ids_in_order(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& c : report["cases"]) out.push_back(c["id"]);
  return out;
}

// Runs `command` on a pseudo-terminal of `columns` columns (util-linux
// script), with TERM and the extra environment given; returns what the
// terminal received.
Result on_terminal(const std::string& command, int columns, const std::string& env) {
  const std::string inner =
      "stty cols " + std::to_string(columns) + " rows 40; " + env + " " + kBin + " " + command;
  return shell("TERM=xterm script -qec \"" + inner + "\" /dev/null");
}

TEST(Habits, GlobalFlagsWorkAfterTheCommandToo) {
  const Result run = strain("run " + kMet + " --plugin-path " + kTestPlugins);
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  const Result list = strain("list " + kMet + " --ids --plugin-path " + kTestPlugins);
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, "trivial_met/pass\ntrivial_met/finds\n");
}

TEST(Habits, AMisspeltCommandIsNamedWithWhatItMeant) {
  const Result r = strain("rnu specs/");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("strain: 'rnu' is not a strain command; did you mean `run`?"),
            std::string::npos)
      << r.err;
  const Result far = strain("--plugin-path " + kTestPlugins + " frobnicate");
  EXPECT_EQ(far.code, 2);
  EXPECT_NE(far.err.find("'frobnicate' is not a strain command\ncommands: run, replay"),
            std::string::npos)
      << far.err;
}

TEST(Habits, ReplayOfAnIdWithoutItsMatrixPointNamesTheCases) {
  const Result r = strain(
      "replay bank_account/bug_unlocked --seed 42 --trial 1 --spec "
      "specs/bank_account.yaml");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean one of:\n  bank_account/bug_unlocked/topology=threads\n  "
                       "bank_account/bug_unlocked/topology=processes"),
            std::string::npos)
      << r.err;
}

TEST(Habits, RepeatRunsEachRepetitionUnderTheNextSeedAndSaysWhich) {
  const std::string json = kWork + "/habits_repeat.json";
  const Result r = strain("--plugin-path " + kTestPlugins + " run " + kMet +
                          " --repeat 3 --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 6u);
  std::set<std::int64_t> seed_lows;
  for (std::size_t k = 0; k < 6; ++k) {
    const auto& c = report["cases"][k];
    EXPECT_EQ(c["spec_seed"], 5 + k / 2) << c.dump();
    if (c["id"] == "trivial_met/finds") {
      const std::string replay = c["first_failure"]["replay"];
      EXPECT_NE(replay.find(" --seed " + std::to_string(5 + k / 2) + " "), std::string::npos)
          << replay;
    }
    if (c["id"] == "trivial_met/pass") seed_lows.insert(c["metrics"]["trial_seed_low"].get<int>());
  }
  EXPECT_EQ(seed_lows.size(), 3u) << "each repetition ran other trial seeds";
  EXPECT_NE(r.out.find("Repetition 1/3 (seed: 5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Repetition 3/3 (seed: 7)"), std::string::npos) << r.out;
}

TEST(Habits, ShufflePrintsItsSeedAndTheSeedGivesTheOrderBack) {
  const std::string a = kWork + "/shuffle_a.json", b = kWork + "/shuffle_b.json";
  const Result first =
      strain("--plugin-path " + kTestPlugins + " run " + kShard + " --shuffle --report json:" + a);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.out, m, std::regex("Shuffling the cases with seed (\\d+)")))
      << first.out;
  const Result again = strain("--plugin-path " + kTestPlugins + " run " + kShard +
                              " --shuffle-seed " + m[1].str() + " --shuffle --report json:" + b);
  EXPECT_EQ(ids_in_order(read_json(a)), ids_in_order(read_json(b)));
  // Some seed among a few gives an order other than the spec's.
  const std::string plain = kWork + "/shuffle_plain.json";
  strain("--plugin-path " + kTestPlugins + " run " + kShard + " --report json:" + plain);
  bool differs = false;
  for (int seed = 1; seed <= 5 && !differs; ++seed) {
    strain("--plugin-path " + kTestPlugins + " run " + kShard + " --shuffle --shuffle-seed " +
           std::to_string(seed) + " --report json:" + b);
    differs = ids_in_order(read_json(b)) != ids_in_order(read_json(plain));
  }
  EXPECT_TRUE(differs) << "--shuffle never changed the order";
}

TEST(Habits, FailFastStopsAtTheFirstUnmetCase) {
  const std::string json = kWork + "/fail_fast.json";
  const Result r = strain("--plugin-path " + kTestPlugins + " run " + kUnmet +
                          " --fail-fast --report json:" + json);
  EXPECT_EQ(r.code, 1);
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 1u) << "the case after the unmet one did not run";
  EXPECT_EQ(report["cases"][0]["id"], "trivial_unmet/fails_at_10");
  EXPECT_NE(r.err.find("--fail-fast: stopped at the first unmet case; 1 case was not run"),
            std::string::npos)
      << r.err;
}

TEST(Habits, IntensityScalesTrialsAndBudgets) {
  const std::string json = kWork + "/intensity.json";
  const Result r = strain("--plugin-path " + kTestPlugins + " run " + kMet +
                          " --intensity 0.1 --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ((*find_case(read_json(json), "trivial_met/pass"))["trials"], 10) << "100 x 0.1";
  const Result tough =
      strain("--plugin-path " + kTestPlugins + " run " + kMet + " --report json:" + json,
             "STRAIN_INTENSITY=tough");
  EXPECT_EQ(tough.code, 0) << tough.err;
  EXPECT_EQ((*find_case(read_json(json), "trivial_met/pass"))["trials"], 1000) << "100 x 10";
  const Result bad = strain("--plugin-path " + kTestPlugins + " run " + kMet + " --intensity 0");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--intensity must be a factor > 0"), std::string::npos) << bad.err;
}

TEST(Habits, NoColorAndDumbTerminalsAreHonoured) {
  const std::string run = "--plugin-path " + kTestPlugins + " run " + kMet;
  const Result colour = on_terminal(run, 80, "");
  EXPECT_NE(colour.out.find("\033[32m"), std::string::npos) << "a terminal gets colour";
  const Result no_color = on_terminal(run, 80, "NO_COLOR=1");
  EXPECT_EQ(no_color.out.find("\033[3"), std::string::npos) << no_color.out;
  const Result dumb = on_terminal(run, 80, "TERM=dumb");
  EXPECT_EQ(dumb.out.find("\033["), std::string::npos) << "no colour, no cursor movement";
  EXPECT_EQ(dumb.out.find('\r' + std::string("\033[K")), std::string::npos);
  EXPECT_NE(dumb.out.find("2 cases: 2 met, 0 unmet"), std::string::npos) << dumb.out;
  const Result forced = on_terminal(run + " --color always", 80, "NO_COLOR=1");
  EXPECT_NE(forced.out.find("\033[32m"), std::string::npos) << "--color always wins";
}

TEST(Habits, TheLiveLineFitsA60ColumnTerminal) {
  // A case that its budget ends (60 s scaled to 1.2 s; its 10^11 trials
  // would take hours), so the live line is drawn however fast the machine:
  // 400,000 trials, as this test ran before, took 0.1 s on a fast one.
  const Result r = on_terminal("--plugin-path " + kTestPlugins +
                                   " run tests/integration/specs/interrupt.yaml"
                                   " --filter 'interrupt/long' --intensity 0.02",
                               60, "");
  const std::string rewind = "\r\033[K";
  std::size_t drawn = 0;
  for (std::size_t at = r.out.find(rewind); at != std::string::npos;
       at = r.out.find(rewind, at + 1)) {
    const std::size_t start = at + rewind.size();
    const std::size_t end = r.out.find_first_of("\r\n", start);
    const std::string line = r.out.substr(start, end - start);
    // The last rewind clears the live line for the case's own line.
    if (line.rfind("  ", 0) != 0) continue;
    ++drawn;
    EXPECT_LE(line.size(), 59u) << line;
    EXPECT_EQ(line.rfind("  [1/1] ", 0), 0u) << line;
  }
  EXPECT_GT(drawn, 0u) << r.out;
}

TEST(Habits, ValidateLooksIntoSubfolders) {
  const std::string dir = kWork + "/nested_specs";
  fs::remove_all(dir);
  fs::create_directories(dir + "/a/b");
  fs::copy_file(kSrc + "/" + kMet, dir + "/a/b/deep.yaml");
  const Result r = strain("--plugin-path " + kTestPlugins + " validate " + dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("a/b/deep.yaml: ok (2 cases"), std::string::npos) << r.out;
}

TEST(Habits, ListCtestGivesEachCaseTheTimeoutAndProcessorsItNeeds) {
  const Result r = strain("--plugin-path " + kTestPlugins + " list --ctest " + kMet);
  EXPECT_EQ(r.code, 0) << r.err;
  // budget 10s + 2 x timeout 5s + 60 s of start-up margin; two role threads.
  EXPECT_EQ(r.out, "trivial_met/pass\t80\t2\ntrivial_met/finds\t80\t2\n");
}

}  // namespace
