// End to end: the strain binary on real specs and plugins.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

TEST(Cli, PluginsListsRolesParamsAndMetrics) {
  const Result r = strain("plugins");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bank_account"), std::string::npos);
  EXPECT_NE(r.out.find("    withdraw"), std::string::npos);
  EXPECT_NE(r.out.find("variant: string = fixed (one of: seed fixed bug_unlocked)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("initial_balance: int = 1000"), std::string::npos);
  EXPECT_NE(r.out.find("    final_balance"), std::string::npos);
  EXPECT_NE(r.out.find("shared_counter"), std::string::npos);
}

TEST(Cli, BrokenPluginsAreReportedAndSkipped) {
  const Result r = strain("--plugin-path " + kTestPlugins + " plugins");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("trivial"), std::string::npos);
  EXPECT_NE(r.out.find("faulty"), std::string::npos);
  // Both versions are named; the host's own is whatever the build has.
  EXPECT_NE(
      r.err.find(
          "abi_mismatch.so: scenario 'from_the_future' was built for strain ABI version 999, but "
          "this strain has ABI version "),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no_scenario.so: no scenario registered"), std::string::npos);
  EXPECT_NE(r.err.find("not_a_library.so: not a loadable plugin library"), std::string::npos);
}

// Plugins that segfault, exit or abort while loading or describing
// themselves: each is reported and skipped, the others work, and neither
// `plugins` nor a `run` that does not use them goes down with them.
const std::string kCrashingPlugins = STRAIN_CRASHING_PLUGIN_DIR;

TEST(Cli, PluginsThatCrashWhileLoadingAreReportedAndSkipped) {
  const Result r = strain("--plugin-path " + kCrashingPlugins + ":" + kTestPlugins + " plugins");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("trivial  ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("faulty  ("), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("skipped " + kCrashingPlugins +
                       "/segv_at_load.so: crashed while loading: SIGSEGV (Segmentation fault)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("skipped " + kCrashingPlugins +
                       "/exit_at_load.so: exited with status 3 while loading\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("skipped " + kCrashingPlugins +
                       "/abort_in_declare.so: crashed while loading: SIGABRT (Aborted)\n"),
            std::string::npos)
      << r.err;
}

TEST(Cli, RunWorksWithPluginsThatCrashWhileLoadingOnThePath) {
  // The case runs in a worker, which loads the path again: it must skip the
  // files its parent found unsafe rather than crash on them.
  const std::string json = kWork + "/crashing_path.json";
  fs::remove(json);
  const Result r = strain("--plugin-path " + kCrashingPlugins + ":" + kTestPlugins +
                          " run tests/integration/specs/trivial_met.yaml --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(json));
  // A spec naming a crashing plugin is a spec error that counts the skipped files.
  const std::string spec = kWork + "/uses_segv_at_load.yaml";
  std::ofstream(spec) << "plugin: segv_at_load\ncases:\n  - name: a\n";
  const Result v = strain("--plugin-path " + kCrashingPlugins + " validate " + spec);
  EXPECT_EQ(v.code, 2);
  EXPECT_NE(
      v.err.find(spec + ":1:9: unknown plugin 'segv_at_load' (available: ); 3 plugin files failed "
                        "to load, see 'strain plugins'"),
      std::string::npos)
      << v.err;
}

TEST(Cli, PluginPathFromEnvironment) {
  const Result r =
      strain("plugins >/dev/null; STRAIN_PLUGIN_PATH=" + kTestPlugins + " " + kBin + " plugins");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("trivial"), std::string::npos);
  EXPECT_EQ(r.out.find("bank_account"), std::string::npos);
}

TEST(Cli, ValidateAcceptsEveryShippedSpec) {
  const Result r = strain("validate specs");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("specs/bank_account.yaml: ok (6 cases"), std::string::npos) << r.out;
}

TEST(Cli, ListExpandsTheMatrix) {
  const Result r = strain("list specs/shared_counter.yaml");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("shared_counter/fixed/topology=threads,worker=2"), std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("shared_counter/bug_no_lock/topology=processes,worker=4  (expect violation)"),
      std::string::npos)
      << r.out;
}

TEST(Cli, BadSpecIsRejectedWholeWithLocations) {
  const std::string json = kWork + "/broken.json";
  fs::remove(json);
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/broken.yaml --report json:" + json);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(
      r.err.find(
          "tests/integration/specs/broken.yaml:3:11: 'trials' must be an integer >= 1, got 'many'"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("tests/integration/specs/broken.yaml:8:15: unknown param 'nope'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("bad invariant"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was run"), std::string::npos);
  EXPECT_FALSE(fs::exists(json));
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(strain("run specs --no-such-flag").code, 2);
  EXPECT_EQ(strain("run specs/bank_account.yaml --report xml:out.xml").code, 2);
  EXPECT_EQ(strain("run no/such/spec.yaml").code, 2);
  EXPECT_EQ(strain("run specs --filter 'nothing*'").code, 2);
  EXPECT_EQ(strain("").code, 2);
}

// Specs with different seeds: no single run seed is printed, and each case's
// JSON and each JUnit suite carry the seed that case ran under.
TEST(Cli, SpecsWithDifferentSeedsRunUnderTheirOwn) {
  const std::string json = kWork + "/seeds.json", xml = kWork + "/seeds.xml";
  const Result r =
      strain("--plugin-path " + kTestPlugins +
             " run tests/integration/specs/trivial_met.yaml "
             "tests/integration/specs/shard.yaml --filter '-shard/unmet' --report json:" +
             json + " --report junit:" + xml);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("seed: each spec's own)"), std::string::npos) << r.out;
  const auto report = read_json(json);
  EXPECT_EQ(report["seed_per_spec"], true);
  EXPECT_EQ((*find_case(report, "trivial_met/pass"))["spec_seed"], 5);
  for (const auto& c : report["cases"])
    if (c["spec"] == "shard") {
      EXPECT_EQ(c["spec_seed"], 11) << c["id"];
    }
  const std::string junit = read_text(xml);
  EXPECT_NE(junit.find(R"(<property name="seed" value="5"/>)"), std::string::npos) << junit;
  EXPECT_NE(junit.find(R"(<property name="seed" value="11"/>)"), std::string::npos) << junit;
  // --seed replaces them all, and says so.
  const Result o = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/trivial_met.yaml "
                          "tests/integration/specs/shard.yaml --filter '-shard/unmet' --seed 9 "
                          "--report json:" +
                          json);
  EXPECT_NE(o.out.find("seed: 9 (--seed)"), std::string::npos) << o.out;
  // Keep the report alive: a range-for over a temporary's member would dangle.
  const auto forced = read_json(json);
  for (const auto& c : forced["cases"]) EXPECT_EQ(c["spec_seed"], 9) << c["id"];
}

TEST(Cli, MetRunExitsZeroAndWritesBothReports) {
  const std::string json = kWork + "/met.json", xml = kWork + "/met.xml";
  // --report before the spec path too: each --report takes exactly one value.
  const Result r = strain("--plugin-path " + kTestPlugins + " run --report json:" + json +
                          " tests/integration/specs/trivial_met.yaml --report junit:" + xml);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 2u);
  const auto* finds = find_case(report, "trivial_met/finds");
  ASSERT_NE(finds, nullptr);
  EXPECT_EQ((*finds)["verdict"], "met");
  EXPECT_EQ((*finds)["expected"], "violation");
  EXPECT_EQ((*finds)["trials"], 3);
  EXPECT_EQ((*finds)["outcomes"]["violation"], 1);
  EXPECT_EQ((*finds)["first_failure"]["trial"], 2);
  EXPECT_EQ((*finds)["first_failure"]["outcome"], "violation");
  const auto* pass = find_case(report, "trivial_met/pass");
  ASSERT_NE(pass, nullptr);
  EXPECT_EQ((*pass)["trials"], 100);
  EXPECT_EQ((*pass)["outcomes"]["pass"], 100);
  EXPECT_TRUE((*pass)["first_failure"].is_null());
  // `show:` metrics: aggregated over all 100 trials, in the JSON and under
  // the case in the console summary.
  ASSERT_EQ((*pass)["measured"].size(), 2u) << pass->dump(2);
  EXPECT_EQ((*pass)["measured"]["sum"],
            (nlohmann::json{{"mean", 3.0}, {"min", 3.0}, {"max", 3.0}, {"count", 100}}));
  EXPECT_EQ((*pass)["measured"]["trial_seed_low"]["count"], 100);
  EXPECT_TRUE((*finds)["measured"].empty());
  EXPECT_NE(r.out.find("\n    sum 3 [3..3]  trial_seed_low "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(mean [min..max] of 100 trials)\n"), std::string::npos) << r.out;
  if (has_xmllint()) {
    EXPECT_EQ(
        std::system(
            ("xmllint --noout --schema " STRAIN_JUNIT_XSD " " + xml + " 2>/dev/null").c_str()),
        0);
  }
}

TEST(Cli, UnmetRunExitsOneAndItsReplayReproduces) {
  const std::string json = kWork + "/unmet.json", xml = kWork + "/unmet.xml";
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/trivial_unmet.yaml --report json:" + json +
                          " --report junit:" + xml);
  EXPECT_EQ(r.code, 1) << r.out;
  const auto report = read_json(json);
  const auto* bad = find_case(report, "trivial_unmet/fails_at_10");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ((*bad)["verdict"], "unmet");
  const std::string replay = (*bad)["first_failure"]["replay"];
  // Complete: this strain (not on $PATH, so by its path), the plugin path
  // it was given, the spec's absolute path.
  EXPECT_EQ(replay, fs::canonical(kBin).string() + " --plugin-path " + kTestPlugins +
                        " replay trivial_unmet/fails_at_10 --seed 5 --trial 9 --spec " + kSrc +
                        "/tests/integration/specs/trivial_unmet.yaml");
  EXPECT_NE(r.out.find(replay), std::string::npos) << "the console shows the replay line";
  const Result again = shell(replay + " --repeat 3");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.out.find("failed 3 of 3 runs"), std::string::npos) << again.out << again.err;
  std::ifstream in(xml);
  std::stringstream xs;
  xs << in.rdbuf();
  EXPECT_NE(xs.str().find("<failure"), std::string::npos);
  EXPECT_NE(xs.str().find("asked to fail this trial"), std::string::npos);
  if (has_xmllint()) {
    EXPECT_EQ(
        std::system(
            ("xmllint --noout --schema " STRAIN_JUNIT_XSD " " + xml + " 2>/dev/null").c_str()),
        0);
  }
}

TEST(Cli, FilterSelectsCases) {
  const std::string json = kWork + "/filter.json";
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/trivial_unmet.yaml --filter '*-*fails*' "
                          "--report json:" +
                          json);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(read_json(json)["cases"].size(), 1u);
}

// A scenario that reads the site in a spec that started none ends as an
// `error` that says how to ask for the site.
TEST(Cli, SiteScenarioWithoutSiteIsAClearError) {
  const std::string json = kWork + "/site_missing.json";
  const Result r = strain("run tests/integration/specs/site_missing.yaml --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* c = find_case(report, "site_missing/no_site");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["verdict"], "met");
  const std::string msg = (*c)["first_failure"]["message"];
  EXPECT_NE(msg.find("needs the site fixture: add 'fixtures: { site: {} }'"), std::string::npos)
      << msg;
}

// A site that cannot start is the case's error, with the reason, and the run
// goes on. In a network namespace of its own (unshare -rn) loopback is down:
// binding 127.0.0.1 still succeeds there, so only the site's own probe
// connection can tell.
TEST(Cli, ASiteThatCannotStartIsTheCaseError) {
  if (shell("unshare -rn true").code != 0)
    GTEST_SKIP() << "unshare -rn (user and network namespaces) is not allowed here";
  const std::string json = kWork + "/site_down.json";
  const Result r = shell("unshare -rn " + kBin +
                         " run specs/pool_fetch.yaml --case pool_fetch/fixed "
                         "--case pool_fetch/seed_server_errors --report json:" +
                         json);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 2u) << "the second case still ran";
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "unmet") << c.dump(2);
    EXPECT_EQ(c["stopped_by"], "error") << c.dump(2);
    EXPECT_EQ(c["trials"], 0) << c.dump(2);
    EXPECT_EQ(c["note"],
              "site fixture: cannot connect to its own port on 127.0.0.1: Network is unreachable")
        << c.dump(2);
  }
}

}  // namespace
