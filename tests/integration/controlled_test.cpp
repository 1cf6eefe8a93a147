// End to end: the schedule strategies through the real binary. Every
// detection kernel's bug is found under `controlled` and its fixed variant
// passes; a controlled failure replays identically, every time, from its
// replay line and from a recorded trace; a deadlock names every thread's
// wait site; code the scheduler cannot steer ends as an explained hang.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

const std::string kKernelPath = "--plugin-path " + kBenchPlugins;

// Runs every kernel spec once; their results are shared by the tests below.
const nlohmann::json& kernel_report() {
  static const nlohmann::json report = [] {
    const std::string json = kWork + "/kernels.json";
    const Result r = strain(kKernelPath + " run tests/bench/specs --report json:" + json);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return read_json(json);
  }();
  return report;
}

TEST(Controlled, EveryKernelBugIsFoundAndEveryFixedKernelPasses) {
  const auto& report = kernel_report();
  ASSERT_GE(report["cases"].size(), 24u) << "at least 12 kernels, a bug and a fixed case each";
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    if (c["case"] == "bug") {
      ASSERT_FALSE(c["first_failure"].is_null()) << c.dump(2);
      EXPECT_FALSE(c["first_failure"]["schedule"].get<std::string>().empty()) << c.dump(2);
    }
  }
}

// The replay line of every controlled failure reproduces the same failure
// through the same interleaving, 20 times out of 20.
TEST(Controlled, EveryFailureReplaysIdentically) {
  for (const auto& c : kernel_report()["cases"]) {
    if (c["first_failure"].is_null()) continue;
    const auto& f = c["first_failure"];
    const std::string replay = f["replay"];
    const Result again = shell(replay + " --repeat 20");  // complete as printed
    EXPECT_EQ(again.code, 1) << replay << "\n" << again.out << again.err;
    EXPECT_NE(again.out.find("failed 20 of 20 runs"), std::string::npos) << replay << again.out;
    // The same message: the same values in it, i.e. the same execution.
    const std::string message = f["message"];
    EXPECT_NE(again.out.find(message.substr(0, message.find('\n'))), std::string::npos)
        << replay << "\n"
        << again.out;
    const std::string schedule = f["schedule"];
    EXPECT_NE(
        again.out.find("interleavings: 1 distinct in 20 runs (failing schedule " + schedule + ")"),
        std::string::npos)
        << replay << "\n"
        << again.out;
  }
}

// A recorded trace replays its decisions: under another seed, whose own
// decisions differ, following the trace gives the recorded interleaving.
TEST(Controlled, TraceRecordsAndReplaysDecisions) {
  const auto* c = find_case(kernel_report(), "lost_update/bug");
  ASSERT_NE(c, nullptr);
  const std::string replay = (*c)["first_failure"]["replay"];
  const std::string trace = kWork + "/lost_update.trace.json";
  fs::remove(trace);
  const Result rec = shell(replay + " --record-trace " + trace);
  EXPECT_EQ(rec.code, 1) << rec.out << rec.err;
  ASSERT_TRUE(fs::exists(trace)) << rec.out << rec.err;
  const auto t = read_json(trace);
  EXPECT_EQ(t["case"], "lost_update/bug");
  EXPECT_EQ(t["digest"], (*c)["first_failure"]["schedule"]);
  EXPECT_FALSE(t["decisions"].get<std::string>().empty());
  EXPECT_FALSE(t["interleaving"].empty());

  const std::string spec = " --spec tests/bench/specs/lost_update.yaml";
  const std::string digest = t["digest"];
  // Seeds whose own schedules differ from the recorded one...
  std::set<std::string> own;
  for (int seed = 100; seed < 105; ++seed) {
    const Result r = strain(kKernelPath + " replay lost_update/bug --seed " + std::to_string(seed) +
                            " --trial 0" + spec + " --record-trace " + kWork + "/other.trace.json");
    own.insert(read_json(kWork + "/other.trace.json")["digest"].get<std::string>());
  }
  EXPECT_GT(own.size(), 1u);
  // ...follow the trace and run the recorded interleaving, failing the same way.
  for (int seed = 100; seed < 105; ++seed) {
    const Result r = strain(kKernelPath + " replay lost_update/bug --seed " + std::to_string(seed) +
                            " --trial 0" + spec + " --trace " + trace + " --repeat 3");
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("failed 3 of 3 runs"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(failing schedule " + digest + ")"), std::string::npos) << r.out;
  }
  // The trace alone names the case's seed and trial.
  const Result bare = strain(kKernelPath + " replay lost_update/bug" + spec + " --trace " + trace);
  EXPECT_NE(bare.out.find("(failing schedule " + digest + ")"), std::string::npos) << bare.out;
  // A trace of another case is refused.
  const Result wrong =
      strain(kKernelPath + " replay aba/bug --spec tests/bench/specs/aba.yaml --trace " + trace);
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("is of case 'lost_update/bug', not 'aba/bug'"), std::string::npos)
      << wrong.err;
}

TEST(Controlled, ADeadlockNamesEveryThreadsWaitSite) {
  const auto* c = find_case(kernel_report(), "lock_order/bug");
  ASSERT_NE(c, nullptr);
  const std::string m = (*c)["first_failure"]["message"];
  EXPECT_EQ((*c)["first_failure"]["outcome"], "deadlock");
  EXPECT_NE(m.find("every role thread is blocked"), std::string::npos) << m;
  // Each thread, where it waits, and the plugin's function it waits in
  // (g++'s debug info also names the line, clang's the inlined primitive's).
  EXPECT_TRUE(std::regex_search(
      m, std::regex("thread first#0 waits in mutex.lock[^\n]*\n(.*\n)*"
                    ".*(inlined in first .*lock_order.cpp:[0-9]+|LockOrder::first)")))
      << m;
  EXPECT_TRUE(std::regex_search(
      m, std::regex("thread second#0 waits in mutex.lock[^\n]*\n(.*\n)*"
                    ".*(inlined in second .*lock_order.cpp:[0-9]+|LockOrder::second)")))
      << m;
  const auto* missed = find_case(kernel_report(), "missed_signal/bug");
  ASSERT_NE(missed, nullptr);
  const std::string w = (*missed)["first_failure"]["message"];
  EXPECT_NE(w.find("thread waiter#0 waits in condvar.wait"), std::string::npos) << w;
  EXPECT_NE(w.find("thread notifier#0 had finished"), std::string::npos) << w;
  EXPECT_NE(w.find("MissedSignal::waiter"), std::string::npos) << w;
}

TEST(Controlled, CodeTheSchedulerCannotSteerEndsAsAnExplainedHang) {
  auto [r, report] = run_test_spec("controlled");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto* c = find_case(report, "controlled/unsteerable_spin");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["verdict"], "met");
  const std::string m = (*c)["first_failure"]["message"];
  EXPECT_NE(m.find("still running after the 1s timeout"), std::string::npos) << m;
  EXPECT_NE(m.find("under strategy controlled one thread runs at a time"), std::string::npos) << m;
  EXPECT_NE(m.find("holds the turn"), std::string::npos) << m;
}

TEST(Controlled, AProcessTopologyIsRefusedWithItsLocation) {
  fs::create_directories(kWork);
  const std::string spec = kWork + "/controlled_processes.yaml";
  std::ofstream(spec) << "plugin: trivial\nschedule:\n  topology: processes\n  strategy: "
                         "controlled\ncases:\n  - name: a\n";
  const Result r = strain("--plugin-path " + kTestPlugins + " run " + spec);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(spec + ":4:13: strategy controlled runs roles as threads only"),
            std::string::npos)
      << r.err;
}

}  // namespace

namespace {

// The default strategy (no strategy named) is the controlled portfolio: every
// kernel bug is found with the kernels' own seeds, the failure names the
// member that found it, and each replays exactly (N of N).
TEST(DefaultStrategy, ThePortfolioFindsEveryKernelBugAndReplaysIt) {
  const std::string json = kWork + "/kernels-default.json";
  // --strategy default replaces each kernel spec's own controlled/pct.
  const Result r = strain(kKernelPath +
                          " run tests/bench/specs --filter '*/bug' --strategy default "
                          "--report json:" +
                          json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  ASSERT_GE(report["cases"].size(), 12u);
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    if (c["first_failure"].is_null()) continue;
    const std::string message = c["first_failure"]["message"];
    EXPECT_NE(message.find("(found under controlled/portfolio: "), std::string::npos) << message;
    const std::string replay = c["first_failure"]["replay"];
    EXPECT_NE(replay.find(" --strategy default"), std::string::npos) << replay;
    // As printed: the binary, its plugin path and the flag, quoted.
    const Result again = shell(replay + " --repeat 3");
    EXPECT_NE(again.out.find("failed 3 of 3 runs"), std::string::npos) << replay << again.out;
  }
}

// --strategy and STRAIN_STRATEGY replace every case's strategy; a bad one is
// a usage error naming the forms.
TEST(DefaultStrategy, TheStrategyFlagAndItsVariableReplaceTheSpecs) {
  const std::string json = kWork + "/strategy-flag.json";
  const Result none = strain(kKernelPath +
                             " run tests/bench/specs/lost_update.yaml --verbose "
                             "--strategy none --report json:" +
                             json);
  EXPECT_NE(none.out.find("strategy=none "), std::string::npos) << none.out;
  const Result env = strain(kKernelPath + " run tests/bench/specs/lost_update.yaml --verbose",
                            "STRAIN_STRATEGY=controlled/pos");
  EXPECT_NE(env.out.find("strategy=controlled/pos "), std::string::npos) << env.out;
  const Result bad = strain(kKernelPath + " run tests/bench/specs/lost_update.yaml --strategy dfs");
  EXPECT_EQ(bad.code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("--strategy must be one of: default, none"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// Strategy controlled/dfs runs every interleaving once, counts them, and a
// case may demand that it finish: the counts are the binomial numbers the
// trivial scenario's bare points give (all conflicting, so DPOR runs every
// order), each interleaving distinct (its digest).
TEST(Dfs, RunsEveryInterleavingOnceAndSaysWhenItRanThemAll) {
  const SpecRun run = run_test_spec("dfs");
  const Result& r = run.run;
  EXPECT_EQ(r.code, 1) << "cut_short is unmet\n" << r.out << r.err;
  const auto& report = run.report;
  const std::map<std::string, std::pair<std::uint64_t, bool>> expected = {
      {"dfs/all/points=0", {1, true}}, {"dfs/all/points=1", {2, true}},
      {"dfs/all/points=2", {6, true}}, {"dfs/all/points=3", {20, true}},
      {"dfs/unpreempted", {2, true}},  {"dfs/one_preemption", {8, true}},
      {"dfs/cut_short", {10, false}},  {"dfs/slow_trials", {1, true}}};
  for (const auto& [id, want] : expected) {
    const auto* c = find_case(report, id);
    ASSERT_NE(c, nullptr) << id;
    ASSERT_TRUE(c->contains("explored")) << c->dump(2);
    EXPECT_EQ((*c)["explored"]["interleavings"], want.first) << id;
    EXPECT_EQ((*c)["explored"]["complete"], want.second) << id;
    // Every interleaving the search ran was a different one.
    EXPECT_EQ((*c)["interleavings"]["distinct"], want.first) << id;
    EXPECT_EQ((*c)["verdict"], want.second ? "met" : "unmet") << id;
    EXPECT_EQ((*c)["stopped_by"], want.second ? "explored" : "trials") << id;
  }
  EXPECT_EQ((*find_case(report, "dfs/one_preemption"))["explored"]["bound"], 1);
  EXPECT_TRUE((*find_case(report, "dfs/all/points=2"))["explored"]["bound"].is_null());
  EXPECT_NE(r.out.find("explored: all 20 interleavings explored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("explored: all 1 interleaving explored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("explored: all 8 interleavings with at most 1 preemption explored"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("explored: 10 interleavings explored; the search did not finish"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("expected an exhaustive search"), std::string::npos) << r.out;
}

// DPOR runs one interleaving per order of the conflicting operations: on
// atomics whose orders can be counted by hand (tests/integration/specs/
// dpor.yaml has the count of each and, measured, what sleep sets alone
// run), the search finishes with exactly these counts, each a different
// interleaving. one_writer_two_readers has 4 orders and runs 5: DPOR with
// sleep sets is not optimal (the two loads before the store run in both
// orders); a count that grows past these is a reduction lost, one that
// shrinks an order missed. own_locks: locks of different mutexes do not
// conflict (only a wait does with every synchronisation operation).
// spin: a spin's later turns are one (1001 without that rule), yet a
// reader's check-then-use of one variable still sees a store between its
// first and second load (check_then_use fails, as it must).
TEST(Dfs, DporRunsOneInterleavingPerOrderOfTheConflictingOperations) {
  const SpecRun run = run_test_spec("dpor");
  const Result& r = run.run;
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::map<std::string, std::uint64_t> expected = {{"dpor/three_writers", 6},
                                                         {"dpor/independent", 1},
                                                         {"dpor/readers", 1},
                                                         {"dpor/one_writer_two_readers", 5},
                                                         {"dpor/two_writers_twice", 6},
                                                         {"dpor/locked", 4},
                                                         {"dpor/own_locks", 1},
                                                         {"dpor/own_locks_one_variable", 2},
                                                         {"dpor/spin", 3},
                                                         {"dpor/spin_yield", 2}};
  for (const auto& [id, want] : expected) {
    const auto* c = find_case(run.report, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ((*c)["explored"]["interleavings"], want) << id;
    EXPECT_EQ((*c)["explored"]["complete"], true) << id;
    EXPECT_EQ((*c)["interleavings"]["distinct"], want) << id;
    EXPECT_EQ((*c)["verdict"], "met") << id;
  }
  const auto* check_then_use = find_case(run.report, "dpor/check_then_use");
  ASSERT_NE(check_then_use, nullptr);
  EXPECT_EQ((*check_then_use)["verdict"], "met") << check_then_use->dump(2);
  EXPECT_EQ((*check_then_use)["explored"]["complete"], false);
}

// Under --strategy controlled/dfs the kernels' bugs are found (the relaxed
// publication too: the kernels' specs turn the weak memory model on, and
// the search tries each store a load may read; the philosophers' cycle
// needs no bound since DPOR), every failure replays exactly from its line,
// and the fixed kernels are proved.
TEST(Dfs, FindsTheKernelBugsReplaysThemAndProvesTheSmallFixedKernels) {
  const std::string bugs_json = kWork + "/kernels_dfs_bugs.json";
  const Result bugs = strain(kKernelPath +
                             " run tests/bench/specs --strategy controlled/dfs --intensity 10 "
                             "--filter '*/bug' --report json:" +
                             bugs_json);
  EXPECT_EQ(bugs.code, 0) << bugs.out << bugs.err;
  const auto found = read_json(bugs_json);
  ASSERT_GE(found["cases"].size(), 14u);
  for (const auto& c : found["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    const auto& f = c["first_failure"];
    ASSERT_FALSE(f.is_null()) << c["id"];
    EXPECT_EQ(c["explored"]["complete"], false) << "a search that failed did not finish";
    const Result again = shell(f["replay"].get<std::string>() + " --repeat 3");
    EXPECT_NE(again.out.find("failed 3 of 3 runs"), std::string::npos) << f["replay"] << again.out;
    EXPECT_NE(again.out.find("(failing schedule " + f["schedule"].get<std::string>() + ")"),
              std::string::npos)
        << again.out;
  }
  // Ten times the kernels' budget (2 s), here and above: each search takes
  // at most 0.6 s on an idle machine (philosophers' cycle is at trial 97,
  // stolen_wakeup's bug at 105; the longest proof, stolen_wakeup's, runs
  // 4,112 interleavings), and this one may be loaded.
  const std::string proved_json = kWork + "/kernels_dfs_proved.json";
  const std::vector<std::string> proved = {
      "aba/fixed",          "check_then_act/fixed",       "four_events/fixed",
      "lazy_init/fixed",    "lock_order/fixed",           "long_run/fixed",
      "lost_update/fixed",  "missed_signal/fixed",        "order_violation/fixed",
      "philosophers/fixed", "publication/fixed",          "stolen_wakeup/fixed",
      "torn_read/fixed",    "two_critical_sections/fixed"};
  std::string filter;
  for (const auto& id : proved) filter += (filter.empty() ? "" : ":") + id;
  const Result fixed =
      strain(kKernelPath + " run tests/bench/specs --strategy controlled/dfs " +
             "--intensity 10 --filter '" + filter + "' --report json:" + proved_json);
  EXPECT_EQ(fixed.code, 0) << fixed.out << fixed.err;
  const auto report = read_json(proved_json);
  ASSERT_EQ(report["cases"].size(), proved.size());
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    EXPECT_EQ(c["explored"]["complete"], true) << c.dump(2);
    EXPECT_EQ(c["stopped_by"], "explored") << c["id"];
    EXPECT_GT(c["explored"]["interleavings"].get<std::uint64_t>(), 1u) << c["id"];
    // Each interleaving the search ran is another one, so its digest is
    // another (before wake-ups were in the digest, philosophers' 156 had 96).
    EXPECT_GE(c["interleavings"]["distinct"].get<std::uint64_t>(),
              c["explored"]["interleavings"].get<std::uint64_t>())
        << c["id"];
  }
}

// With the weak memory model the search branches on which store each load
// reads as well as on the order of the threads: on two-thread litmus tests
// it fails each on the outcome the C++ memory model allows (stale data
// behind a relaxed flag, store buffering without seq_cst, a flag published
// under a different mutex), proves the ones it forbids in the numbers of
// executions below (a count that grows is a reduction lost, one that
// shrinks a store or an order missed), and each stale read is a step of
// the failure's trace. Without the model the search is sequentially
// consistent and proves the relaxed message passing.
TEST(Dfs, WithTheWeakMemoryModelEachStoreALoadMayReadIsTried) {
  const SpecRun run = run_test_spec("weak");
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const std::map<std::string, std::uint64_t> proved = {{"weak/mp_release_acquire", 8},
                                                       {"weak/mp_seq_cst", 6},
                                                       {"weak/sb_seq_cst", 4},
                                                       {"weak/mp_locked", 9},
                                                       {"weak/mp_relaxed_sc", 4}};
  for (const auto& [id, want] : proved) {
    const auto* c = find_case(run.report, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
    EXPECT_EQ((*c)["explored"]["interleavings"], want) << id;
    EXPECT_EQ((*c)["explored"]["complete"], true) << id;
    // Executions that differ only in the store a load read differ in digest.
    EXPECT_EQ((*c)["interleavings"]["distinct"], want) << id;
  }
  for (const char* id :
       {"weak/mp_relaxed", "weak/sb_relaxed", "weak/sb_release_acquire", "weak/mp_own_locks"}) {
    const auto* c = find_case(run.report, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
    const auto& f = (*c)["first_failure"];
    ASSERT_FALSE(f.is_null()) << id;
    const std::string trace = kWork + "/" + std::string(id).substr(5) + ".trace";
    const Result again =
        shell(f["replay"].get<std::string>() + " --repeat 3 --record-trace " + trace);
    EXPECT_NE(again.out.find("failed 3 of 3 runs"), std::string::npos) << f["replay"] << again.out;
    EXPECT_NE(read_json(trace)["interleaving"].dump().find("read a stale value"), std::string::npos)
        << id << ": the trace says which load read an older store";
  }
}

// A preemption bound makes a search reach what an unbounded one, diving
// into the longest schedules first, does not within its trials.
TEST(Dfs, APreemptionBoundFindsThePhilosophersCycle) {
  const std::string dir = kWork + "/dfs_bound";
  fs::create_directories(dir);
  std::string spec = read_text(kSrc + "/tests/bench/specs/philosophers.yaml");
  spec = std::regex_replace(spec, std::regex("strategy: \\{[^}]*\\}"),
                            "strategy: { name: controlled, pick: dfs, preemption_bound: 2 }");
  {
    std::ofstream out(dir + "/philosophers.yaml");
    out << spec;
  }
  const std::string json = dir + "/report.json";
  // Ten times the spec's 2 s budget: the cycle is at trial 252, about
  // 0.3 s on an idle machine, and this one may be loaded.
  const Result r = strain(kKernelPath + " run " + dir + "/philosophers.yaml --intensity 10" +
                          " --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* bug = find_case(report, "philosophers/bug");
  ASSERT_NE(bug, nullptr);
  EXPECT_EQ((*bug)["first_failure"]["outcome"], "deadlock") << bug->dump(2);
  EXPECT_EQ((*bug)["explored"]["bound"], 2);
  const auto* fixed = find_case(report, "philosophers/fixed");
  ASSERT_NE(fixed, nullptr);
  EXPECT_EQ((*fixed)["explored"]["complete"], true) << fixed->dump(2);
}

}  // namespace

namespace {

// The default falls back to a real scheduler only for code it cannot
// steer: a trial that hangs with no schedule point passed (roles handing
// off through std::atomic flags in code not built with INSTRUMENT) runs the
// case again under chaos, says so, and its replay lines name chaos; a case
// that names controlled is left as asked. Through pipes the same handshake
// is steered: it passes under the default, with no fallback.
TEST(DefaultStrategy, CodeItCannotSteerRunsUnderChaosAndSaysSo) {
  const SpecRun run = run_test_spec("unsteerable");
  const Result& r = run.run;
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto& report = run.report;
  const auto* fell_back = find_case(report, "unsteerable/default");
  ASSERT_NE(fell_back, nullptr);
  EXPECT_EQ((*fell_back)["verdict"], "met") << fell_back->dump(2);
  EXPECT_EQ((*fell_back)["outcomes"]["pass"], 20) << fell_back->dump(2);
  const std::string note = (*fell_back)["note"];
  EXPECT_NE(note.find("the controlled scheduler could not steer this code"), std::string::npos)
      << note;
  EXPECT_NE(note.find("ran under chaos instead"), std::string::npos) << note;
  const auto* named = find_case(report, "unsteerable/named");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ((*named)["outcomes"]["hang"], 1) << named->dump(2);
  EXPECT_EQ((*named)["note"], "") << "no fallback for a strategy the spec names";
  // Through pipes: steered in a build that steers unmodified code (the
  // sanitizer's read() is its own).
  if (!STRAIN_STEERS_UNMODIFIED) return;
  const SpecRun piped =
      run_spec_text("steered_pipes",
                    "plugin: fault\n"
                    "schedule: { trials: 20, budget: 30s, timeout: 5s, seed: 1 }\n"
                    "params: { mode: pipes, at: 0 }\n"
                    "invariants: [ \"ok == 1\" ]\n"
                    "cases:\n"
                    "  - { name: default, expect: pass }\n");
  expect_each_met(piped, 1, 20, false);
  EXPECT_EQ(piped.report["cases"][0]["note"], "") << piped.report.dump(2);
}

}  // namespace
