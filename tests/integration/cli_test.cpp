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
  EXPECT_EQ(replay,
            "strain replay trivial_unmet/fails_at_10 --seed 5 --trial 9 --spec "
            "tests/integration/specs/trivial_unmet.yaml");
  EXPECT_NE(r.out.find(replay), std::string::npos) << "the console shows the replay line";
  const Result again = strain("--plugin-path " + kTestPlugins + replay.substr(6) + " --repeat 3");
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

// The shipped specs: every case meets its expectation, bug cases included.
class ShippedSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedSpec, EveryCaseMeetsItsExpectation) {
  const std::string name = GetParam();
  const std::string json = kWork + "/" + name + ".json", xml = kWork + "/" + name + ".xml";
  const Result r =
      strain("run specs/" + name + ".yaml --report json:" + json + " --report junit:" + xml);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    if (c["expected"] != "pass") {
      ASSERT_FALSE(c["first_failure"].is_null()) << c.dump(2);
      EXPECT_EQ(c["first_failure"]["outcome"], c["expected"]);
    }
  }
  if (has_xmllint()) {
    EXPECT_EQ(
        std::system(
            ("xmllint --noout --schema " STRAIN_JUNIT_XSD " " + xml + " 2>/dev/null").c_str()),
        0);
  }
  // Every failure's replay line reproduces it (with high probability: the
  // schedule is the real one, so ask for several repetitions; a bug found in
  // a third of the trials on an idle machine is found less often on a loaded
  // one, and 5 repetitions missed it about once in ten runs).
  for (const auto& c : report["cases"]) {
    if (c["first_failure"].is_null()) continue;
    const std::string replay = c["first_failure"]["replay"];
    const Result again = strain(replay.substr(std::string("strain ").size()) + " --repeat 20");
    EXPECT_EQ(again.code, 1) << replay << "\n" << again.out << again.err;
    EXPECT_EQ(again.out.find("failed 0 of"), std::string::npos) << replay << "\n" << again.out;
    // All 20 ran, also when a failure ended the worker running them.
    EXPECT_NE(again.out.find(" of 20 runs"), std::string::npos) << replay << "\n" << again.out;
  }
  // In the tsan build the chapter's seed bank account is a data race whose
  // two stacks point into the plugin.
  if (name == "bank_account" && report["build"] == "tsan") {
    const auto* seed = find_case(report, "bank_account/seed/topology=threads");
    ASSERT_NE(seed, nullptr);
    ASSERT_FALSE((*seed)["sanitizer_reports"].empty()) << seed->dump(2);
    const auto& rep = (*seed)["sanitizer_reports"][0];
    EXPECT_EQ(rep["kind"], "data race");
    EXPECT_EQ(rep["outcome"], "race");
    const std::string brief = rep["brief"];
    const auto first = brief.find("plugins/bank_account/bank_account.cpp");
    ASSERT_NE(first, std::string::npos) << brief;
    EXPECT_NE(brief.find("plugins/bank_account/bank_account.cpp", first + 1), std::string::npos)
        << brief;
    // One access is an unlocked read of the balance for printing (withdraw
    // line 127 or deposit line 146), the other a write under the lock by
    // either role: which pair TSan sees first depends on the schedule.
    EXPECT_TRUE(brief.find("bank_account.cpp:127") != std::string::npos ||
                brief.find("bank_account.cpp:146") != std::string::npos)
        << brief;
  }
}

// Every spec in specs/, found when the program starts, so a new spec is tested
// without editing this file; ctest registers each as its own test (with its
// own timeout) through gtest_discover_tests.
std::vector<std::string> shipped_specs() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSrc + "/specs"))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cli, ShippedSpec, ::testing::ValuesIn(shipped_specs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace

namespace {

TEST(Cli, FaultsBecomeOutcomesOfTheirTrialAndTheRunGoesOn) {
  const std::string json = kWork + "/faults.json";
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/faults.yaml --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 14u) << "every case ran, after every kind of fault";
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"segfault", {"crash", "killed by signal SIGSEGV (Segmentation fault) during trial 3"}},
      {"abort", {"crash", "killed by signal SIGABRT (Aborted) during trial 3"}},
      {"sigbus", {"crash", "killed by signal SIGBUS (Bus error) during trial 3"}},
      {"exit", {"error", "exited with status 3 during trial 3"}},
      {"_exit", {"error", "exited with status 4 during trial 3"}},
      {"throw", {"error", "role first#0: thrown at the chosen trial"}},
      {"spin_forever", {"hang", "trial 3 still running after the 1s timeout"}},
      {"deadlock", {"hang", "trial 3 still running after the 1s timeout"}},
      {"proc_sigkill", {"crash", "role first#0: the role process (pid "}},
      {"proc_segfault", {"crash", "was killed by signal SIGSEGV (Segmentation fault)"}},
      {"proc_exit", {"error", "role first#0: the role process (pid "}},
      {"proc_spin_forever",
       {"hang",
        "trial 3 still running after the 1s timeout; role processes still running: "
        "first#0 (pid "}},
  };
  for (const auto& [name, want] : expected) {
    const auto* c = find_case(report, "faults/" + name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
    EXPECT_EQ((*c)["outcomes"]["pass"], 3) << name << ": the trials before the fault are kept";
    EXPECT_EQ((*c)["outcomes"][want.first], 1) << name;
    ASSERT_FALSE((*c)["first_failure"].is_null()) << name;
    EXPECT_EQ((*c)["first_failure"]["trial"], 3) << name;
    EXPECT_EQ((*c)["first_failure"]["outcome"], want.first) << name;
    const std::string message = (*c)["first_failure"]["message"];
    EXPECT_NE(message.find(want.second), std::string::npos) << name << ": " << message;
  }
  // A hang names each thread's stack, down into the plugin's role functions.
  const std::string hang = (*find_case(report, "faults/deadlock"))["first_failure"]["message"];
  EXPECT_NE(hang.find("thread first#0:"), std::string::npos) << hang;
  EXPECT_NE(hang.find("thread second#0:"), std::string::npos) << hang;
  // Under TSan the runtime defers the stack-request signal while a thread is
  // blocked in an intercepted call, so the threads are named without stacks.
  if (report["build"] == "plain") {
    EXPECT_NE(hang.find("Fault::first(strain::Context&)"), std::string::npos) << hang;
    EXPECT_NE(hang.find("Fault::second(strain::Context&)"), std::string::npos) << hang;
    EXPECT_NE(hang.find("(fault.so+0x"), std::string::npos) << hang;
  }
  const std::string killed =
      (*find_case(report, "faults/proc_sigkill"))["first_failure"]["message"];
  EXPECT_NE(killed.find("was killed by signal SIGKILL (Killed)"), std::string::npos) << killed;
  const std::string exited = (*find_case(report, "faults/proc_exit"))["first_failure"]["message"];
  EXPECT_NE(exited.find("exited with status 3"), std::string::npos) << exited;
  const auto* flood = find_case(report, "faults/flood");
  ASSERT_NE(flood, nullptr);
  EXPECT_EQ((*flood)["verdict"], "met");
  EXPECT_GE((*flood)["output_bytes"].get<std::uint64_t>(), 8u << 20);
  const std::string output = (*flood)["output"];
  EXPECT_LT(output.size(), 70'000u) << "the capture is bounded";
  EXPECT_NE(output.find("bytes of output omitted"), std::string::npos);
  const auto* after = find_case(report, "faults/after_all_that");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ((*after)["outcomes"]["pass"], 10);
}

TEST(Cli, ACrashReplaysAsACrash) {
  // A crash or a hang ends its worker: the other repetitions run in fresh
  // ones, and every one counts.
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " replay faults/segfault --seed 3 --trial 3 --spec "
                          "tests/integration/specs/faults.yaml --repeat 3");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("failed 3 of 3 runs (crash: the worker was killed by signal SIGSEGV"),
            std::string::npos)
      << r.out << r.err;
  for (const char* hang : {"spin_forever", "proc_spin_forever"}) {
    const Result h = strain("--plugin-path " + kTestPlugins + " replay faults/" + hang +
                            " --seed 3 --trial 3 --spec tests/integration/specs/faults.yaml "
                            "--repeat 3 --color never");
    EXPECT_EQ(h.code, 1) << hang << "\n" << h.out << h.err;
    EXPECT_NE(h.out.find("failed 3 of 3 runs (hang: trial 3 still running"), std::string::npos)
        << hang << "\n"
        << h.out << h.err;
  }
  const Result fine = strain("--plugin-path " + kTestPlugins +
                             " replay faults/segfault --seed 3 --trial 2 --spec "
                             "tests/integration/specs/faults.yaml --repeat 5");
  EXPECT_EQ(fine.code, 0);
  EXPECT_NE(fine.out.find("failed 0 of 5 runs"), std::string::npos) << fine.out << fine.err;
}

// replay takes its flags from the environment too, and the output flags of
// run: --quiet prints the verdict line only.
TEST(Cli, ReplayFlagsFromTheEnvironment) {
  const Result r =
      strain("--plugin-path " + kTestPlugins + " replay faults/segfault --quiet --color never",
             "STRAIN_SEED=3 STRAIN_TRIAL=2 STRAIN_REPEAT=2 "
             "STRAIN_SPEC=tests/integration/specs/faults.yaml");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "replay faults/segfault seed 3 trial 2: failed 0 of 2 runs\n") << r.err;
  const Result bad = strain("--plugin-path " + kTestPlugins +
                            " replay faults/segfault --seed 3 --trial 2 --color purple "
                            "--spec tests/integration/specs/faults.yaml");
  EXPECT_EQ(bad.code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("--color must be auto, always or never"), std::string::npos) << bad.err;
}

TEST(Cli, SigtermEndsTheWorkerAndWritesWhatFinished) {
  const std::string json = kWork + "/interrupt.json";
  fs::remove(json);
  const Result r =
      strain("--plugin-path " + kTestPlugins +
             " run tests/integration/specs/interrupt.yaml --report json:" + json + " 2>" + kWork +
             "/interrupt.err & pid=$!; sleep 2; kill -TERM $pid; wait $pid; echo rc=$?");
  EXPECT_NE(r.out.find("rc=130"), std::string::npos) << r.out << r.err;
  std::ifstream err_in(kWork + "/interrupt.err");
  const std::string err((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(err.find("interrupted; 1 of 2 cases finished"), std::string::npos) << err;
  ASSERT_TRUE(fs::exists(json));
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 1u);
  EXPECT_EQ(report["cases"][0]["id"], "interrupt/quick");
  // The worker of the long case is gone too.
  EXPECT_NE(std::system("pgrep -f '__worker.*interrupt/lon[g]' >/dev/null"), 0);
}

}  // namespace

namespace {

// Tests and strain are built with the same sanitizer flags (the preset's).
#if defined(__SANITIZE_THREAD__)
constexpr bool kTsanBuild = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kTsanBuild = true;
#else
constexpr bool kTsanBuild = false;
#endif
#else
constexpr bool kTsanBuild = false;
#endif

// Bugs only TSan sees: passed by the plain build, classified by kind in the
// tsan build (a lock-order inversion is a `deadlock`, a data race a `race`).
TEST(Cli, SanitizerKindsAreClassifiedPerBuild) {
  const std::string json = kWork + "/tsan_kinds.json";
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " run tests/integration/specs/tsan_kinds.yaml --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  for (const auto& c : report["cases"]) EXPECT_EQ(c["verdict"], "met") << c.dump(2);
  if (report["build"] != "tsan") return;
  const auto* lock = find_case(report, "tsan_kinds/lock_order");
  ASSERT_NE(lock, nullptr);
  EXPECT_EQ((*lock)["outcomes"]["deadlock"], 1);
  ASSERT_FALSE((*lock)["sanitizer_reports"].empty());
  EXPECT_EQ((*lock)["sanitizer_reports"][0]["outcome"], "deadlock");
  const auto* race = find_case(report, "tsan_kinds/data_race");
  ASSERT_NE(race, nullptr);
  EXPECT_EQ((*race)["outcomes"]["race"], 1);
  ASSERT_FALSE((*race)["sanitizer_reports"].empty());
  EXPECT_EQ((*race)["sanitizer_reports"][0]["kind"], "data race");
  const std::string brief = (*race)["sanitizer_reports"][0]["brief"];
  EXPECT_NE(brief.find("tsan_kinds.cpp"), std::string::npos) << brief;
  // The same race under the strategies that steer or perturb the schedule:
  // neither hides it behind edges of its own.
  for (const char* id : {"tsan_kinds/data_race_controlled", "tsan_kinds/data_race_chaos"}) {
    const auto* c = find_case(report, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ((*c)["outcomes"]["race"], 1) << c->dump(2);
    ASSERT_FALSE((*c)["sanitizer_reports"].empty()) << id;
    EXPECT_EQ((*c)["sanitizer_reports"][0]["kind"], "data race") << id;
    const std::string b = (*c)["sanitizer_reports"][0]["brief"];
    EXPECT_NE(b.find("TsanKinds::first"), std::string::npos) << b;
    EXPECT_NE(b.find("TsanKinds::second"), std::string::npos) << b;
  }
  // JSON carries the parsed report: each access with its top frames.
  const auto& rep = (*race)["sanitizer_reports"][0];
  ASSERT_EQ(rep["accesses"].size(), 2u) << rep.dump(2);
  for (const auto& a : rep["accesses"]) {
    EXPECT_TRUE(a["op"] == "write" || a["op"] == "read") << a.dump();
    EXPECT_GT(a["size"].get<int>(), 0) << a.dump();
    ASSERT_FALSE(a["frames"].empty()) << a.dump();
    const std::string fn = a["frames"][0]["function"];
    EXPECT_NE(fn.find("TsanKinds::"), std::string::npos) << a.dump();
    EXPECT_NE(a["frames"][0]["file"].get<std::string>().find("tsan_kinds.cpp"), std::string::npos);
    EXPECT_GT(a["frames"][0]["line"].get<int>(), 0);
  }
  // A path-independent signature: base names only.
  EXPECT_EQ(rep["signature"].get<std::string>().find('/'), std::string::npos) << rep.dump(2);
}

// TSan reports every occurrence of a race, not the first per process: a
// replay of a trial whose race is certain fails every time, and prints the
// report with the racing frames.
TEST(Cli, ReplayOfARaceFailsEveryTimeAndShowsTheReport) {
  const Result r = strain("--plugin-path " + kTestPlugins +
                          " replay tsan_kinds/data_race --seed 11 --trial 0 --spec "
                          "tests/integration/specs/tsan_kinds.yaml --repeat 5");
  if (!kTsanBuild) {
    // The plain build: nothing sees the race, and the trial passes.
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("failed 0 of 5 runs"), std::string::npos) << r.out << r.err;
    return;
  }
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("failed 5 of 5 runs (race"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("ThreadSanitizer (5x): ThreadSanitizer: data race"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("TsanKinds::first"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("TsanKinds::second"), std::string::npos) << r.out;
  // A run that counts every trial counts a race in each trial that had one,
  // and the report's count is every occurrence, not those the capture kept.
  const std::string json = kWork + "/tsan_keep_going.json";
  const Result all = strain("--plugin-path " + kTestPlugins +
                            " run tests/integration/specs/tsan_kinds.yaml --case "
                            "tsan_kinds/data_race --keep-going --quiet --report json:" +
                            json);
  EXPECT_EQ(all.code, 0) << all.out << all.err;
  const auto report = read_json(json);
  const auto& c = report["cases"][0];
  const int races = c["outcomes"]["race"];
  EXPECT_GT(races, 100) << c["outcomes"].dump();
  ASSERT_EQ(c["sanitizer_reports"].size(), 1u) << c["sanitizer_reports"].dump(2);
  EXPECT_EQ(c["sanitizer_reports"][0]["count"], races);
}

}  // namespace
