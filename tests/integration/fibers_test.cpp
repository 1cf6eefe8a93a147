// The roles of a controlled trial as fibers on one thread
// (schedule.strategy.fibers, run --fibers): the same decisions as threads,
// so the same seed runs the same interleavings and finds the same failure,
// and what each role keeps per thread (its context, its shadow stack)
// follows it across the switches.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <utility>

#include "run_strain.hpp"
#include "runtime/tsan_build.hpp"

namespace {

using namespace strain_test;

constexpr bool kTsanBuild = STRAIN_IS_TSAN_BUILD;

// A failure's message with its addresses (which ASLR moves from run to run)
// and its elapsed time blanked.
std::string comparable(std::string message) {
  message = std::regex_replace(message, std::regex("0x[0-9a-f]+"), "0x");
  return std::regex_replace(message, std::regex("[0-9.]+s\\b"), "Ns");
}

// What a case's run must have in common with threads and fibers: counts,
// the interleavings, the search's extent and the first failure.
// `failing`: whether some case of the spec fails (the first failures are
// compared then); `searches`: whether its cases search (dfs).
void expect_same(const nlohmann::json& threads, const nlohmann::json& fibers, bool failing,
                 bool searches) {
  ASSERT_EQ(threads["cases"].size(), fibers["cases"].size());
  ASSERT_FALSE(threads["cases"].empty());
  int explored = 0, failed = 0;
  for (std::size_t k = 0; k < threads["cases"].size(); ++k) {
    const auto& t = threads["cases"][k];
    const auto& f = fibers["cases"][k];
    SCOPED_TRACE(t["id"].get<std::string>());
    EXPECT_EQ(t["id"], f["id"]);
    EXPECT_EQ(t["verdict"], "met") << t.dump(2);
    EXPECT_EQ(f["verdict"], "met") << f.dump(2);
    EXPECT_EQ(t["trials"], f["trials"]);
    EXPECT_EQ(t["outcomes"], f["outcomes"]);
    ASSERT_TRUE(t.contains("interleavings") && f.contains("interleavings"));
    EXPECT_EQ(t["interleavings"], f["interleavings"]);
    // A search (dfs) says how far it got.
    ASSERT_EQ(t.contains("explored"), f.contains("explored"));
    if (t.contains("explored")) {
      EXPECT_EQ(t["explored"], f["explored"]);
    }
    explored += t.contains("explored") ? 1 : 0;
    ASSERT_EQ(t["first_failure"].is_null(), f["first_failure"].is_null());
    if (t["first_failure"].is_null()) continue;
    ++failed;
    const auto& tf = t["first_failure"];
    const auto& ff = f["first_failure"];
    EXPECT_EQ(tf["trial"], ff["trial"]);
    EXPECT_EQ(tf["outcome"], ff["outcome"]);
    EXPECT_EQ(tf.value("schedule", ""), ff.value("schedule", ""));
    EXPECT_EQ(comparable(tf["message"]), comparable(ff["message"]));
  }
  EXPECT_EQ(failed > 0, failing);
  EXPECT_EQ(explored > 0, searches);
}

// The DPOR search and the weak memory model's litmus tests (exact numbers
// of interleavings, found violations), then the chapter's bank account
// under the default portfolio: each run as threads and as fibers.
TEST(Fibers, TheSameSeedRunsTheSameInterleavingsAsThreads) {
  for (const std::string spec : {"dpor", "weak"}) {
    SCOPED_TRACE(spec);
    const SpecRun threads = run_test_spec(spec, "", spec + "-threads");
    const SpecRun fibers = run_test_spec(spec, "--fibers", spec + "-fibers");
    EXPECT_EQ(threads.run.code, 0) << threads.run.out << threads.run.err;
    EXPECT_EQ(fibers.run.code, 0) << fibers.run.out << fibers.run.err;
    expect_same(threads.report, fibers.report, true, true);
  }
  const std::string spec = kWork + "/fibers_bank.yaml";
  std::ofstream(spec)
      << "plugin: bank_account\n"
         "params: { initial_balance: 1000, ops: 5, amount_min: 100, "
         "amount_max: 300 }\n"
         "schedule:\n"
         "  roles: { withdraw: 2, deposit: 1 }\n"
         "  trials: 3000\n  budget: 60s\n  timeout: 10s\n  seed: 5\n"
         "  time_scale: 0.0001\n"
         "invariants:\n"
         "  - final_balance == initial_balance + deposited - withdrawn\n"
         "  - min_balance >= 0\n"
         "cases:\n"
         "  - { name: fixed, params: { variant: fixed }, expect: pass }\n"
         "  - { name: unlocked, params: { variant: bug_unlocked }, expect: fail }\n";
  const std::string tj = kWork + "/fibers_bank-threads.json",
                    fj = kWork + "/fibers_bank-fibers.json";
  const Result threads = strain("run " + spec + " --report json:" + tj);
  const Result fibers = strain("run " + spec + " --fibers --report json:" + fj);
  EXPECT_EQ(threads.code, 0) << threads.out << threads.err;
  EXPECT_EQ(fibers.code, 0) << fibers.out << fibers.err;
  const auto fibers_report = read_json(fj);
  expect_same(read_json(tj), fibers_report, true, false);

  // The replay line of a run with --fibers says so, and its trial fails the
  // same way as fibers and as threads (the same interleaving's digest).
  const auto* unlocked = find_case(fibers_report, "fibers_bank/unlocked");
  ASSERT_NE(unlocked, nullptr);
  const std::string replay = (*unlocked)["first_failure"]["replay"];
  const std::string digest = (*unlocked)["first_failure"]["schedule"];
  ASSERT_NE(replay.find(" --fibers"), std::string::npos) << replay;
  const Result as_fibers = expect_replay_fails(replay, 3);
  EXPECT_EQ(as_fibers.code, 1) << as_fibers.out << as_fibers.err;
  EXPECT_NE(as_fibers.out.find("failing schedule " + digest), std::string::npos) << as_fibers.out;
  const Result as_threads =
      shell(std::regex_replace(replay, std::regex(" --fibers"), "") + " --repeat 3");
  EXPECT_EQ(as_threads.code, 1) << as_threads.out << as_threads.err;
  EXPECT_NE(as_threads.out.find("failing schedule " + digest), std::string::npos) << as_threads.out;
}

// A spec of the fiber_roles test plugin (built with INSTRUMENT) as fibers.
std::string fiber_roles_yaml(const std::string& cases) {
  return "plugin: fiber_roles\n"
         "schedule:\n"
         "  roles: { first: 1, second: 1 }\n"
         "  trials: 200\n  budget: 30s\n  timeout: 5s\n"
         "  strategy: { name: controlled, pick: pct, fibers: true }\n"
         "cases:\n" +
         cases;
}

// Fibers are what runs: both roles on one thread (threads in a
// ThreadSanitizer build, whose runtime does not follow a switch of stacks).
TEST(Fibers, TheRolesRunOnOneThread) {
  const SpecRun run = run_spec_text(
      "fiber_roles_one",
      fiber_roles_yaml("  - { name: fibers, params: { variant: one_thread }, expect: { outcome: "
                       "pass, tsan: violation } }\n"
                       "  - { name: threads, params: { variant: one_thread }, expect: violation,\n"
                       "      schedule: { strategy: { fibers: false } } }\n"));
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  ASSERT_EQ(report["cases"].size(), 2u);
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    EXPECT_EQ(c["trials"], c["first_failure"].is_null() ? 200 : 1) << c.dump(2);
    EXPECT_EQ(c["note"], "") << c.dump(2);  // no thread_local data of its own
  }
  // run --fibers turns them on, also where the spec turned them off: the
  // case that expects threads then passes, against its expectation.
  const std::string flagged = kWork + "/fiber_roles_one_flag.json";
  const Result f = strain("--plugin-path " + kTestPlugins + " run " + kWork +
                          "/fiber_roles_one.yaml --fibers --case fiber_roles_one/threads "
                          "--report json:" +
                          flagged);
  const auto flagged_report = read_json(flagged);
  const auto* c = find_case(flagged_report, "fiber_roles_one/threads");
  ASSERT_NE(c, nullptr) << f.out << f.err;
  EXPECT_EQ((*c)["verdict"], kTsanBuild ? "met" : "unmet") << c->dump(2);
  EXPECT_EQ(f.code, kTsanBuild ? 0 : 1) << f.out << f.err;
}

// A plugin that brings thread_local data, its own (fiber_tls) or in a
// library it links (fiber_lib_tls): as fibers its roles would share it, so
// by default they run as threads, each role with its own; a case that asks
// for fibers gets them, shares it (the documented cost), and its note names
// where the data is.
TEST(Fibers, ThreadLocalDataTheCaseBringsKeepsItsRolesThreadsOrIsSaid) {
  const std::pair<const char*, const char*> plugins[] = {
      {"fiber_tls", "fiber_tls.so \\([1-9][0-9]* bytes\\)"},
      {"fiber_lib_tls", "libstrain_test_tls.so \\([1-9][0-9]* bytes\\)"}};
  for (const auto& [plugin, where] : plugins) {
    SCOPED_TRACE(plugin);
    const std::string name = plugin;
    const SpecRun run =
        run_spec_text(name, "plugin: " + name +
                                "\n"
                                "schedule:\n  trials: 200\n  budget: 30s\n  timeout: 5s\n"
                                "  strategy: { name: controlled, pick: random }\n"
                                "cases:\n"
                                "  - { name: default, expect: pass }\n"
                                "  - { name: fibers, expect: { outcome: violation, tsan: pass },\n"
                                "      schedule: { strategy: { fibers: true } } }\n");
    const Result& r = run.run;
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    const auto& report = run.report;
    const auto* threads = find_case(report, name + "/default");
    const auto* fibers = find_case(report, name + "/fibers");
    ASSERT_TRUE(threads != nullptr && fibers != nullptr) << report.dump(2);
    EXPECT_EQ((*threads)["verdict"], "met") << threads->dump(2);
    EXPECT_EQ((*threads)["trials"], 200) << threads->dump(2);
    EXPECT_EQ((*fibers)["verdict"], "met") << fibers->dump(2);
    EXPECT_EQ((*threads)["note"], "") << threads->dump(2);
    if (kTsanBuild) continue;  // the roles ran as threads
    const std::string note = (*fibers)["note"];
    EXPECT_TRUE(std::regex_search(
        note, std::regex(std::string("the plugin brought [1-9][0-9]* bytes of thread_local data "
                                     "\\(") +
                         where)))
        << note;
    EXPECT_NE(note.find("run with --no-fibers to tell"), std::string::npos) << note;
    EXPECT_NE(r.out.find("note: the roles ran as fibers"), std::string::npos) << r.out;
  }
  // `strain plugins` says what each brought, and nothing of one without.
  const Result listed = strain("--plugin-path " + kTestPlugins + " plugins");
  EXPECT_TRUE(std::regex_search(
      listed.out, std::regex("\nfiber_lib_tls  [^\n]*\n(  [^\n]*\n)*  thread_local data: "
                             "[1-9][0-9]* bytes, in libstrain_test_tls.so \\([^\n]*\\) "
                             "\\(controlled runs the roles as threads")))
      << listed.out;
  std::smatch trivial;
  ASSERT_TRUE(
      std::regex_search(listed.out, trivial, std::regex("\ntrivial  [^\n]*\n(  [^\n]*\n)*")))
      << listed.out;
  EXPECT_EQ(trivial.str().find("thread_local data"), std::string::npos) << trivial.str();
}

// A controlled case that says nothing of fibers runs its roles as fibers
// where the plugin brought no thread_local data (fiber_roles): on one OS
// thread, each with a thread id of its own. --no-fibers runs them as
// threads, and the replay line it prints says so.
TEST(Fibers, ControlledRunsAsFibersByDefaultAndNoFibersAsThreads) {
  const std::string spec = kWork + "/fiber_roles_default.yaml";
  {
    std::ofstream out(spec);
    out << "plugin: fiber_roles\n"
           "schedule:\n  roles: { first: 1, second: 1 }\n  trials: 200\n  budget: 30s\n"
           "  timeout: 5s\n  strategy: { name: controlled, pick: pct }\n"
           "cases:\n"
           "  - { name: one, params: { variant: one_thread }, expect: { outcome: pass, tsan: "
           "violation } }\n";
  }
  const std::string head = "--plugin-path " + kTestPlugins + " run " + spec;
  const Result by_default = strain(head);
  EXPECT_EQ(by_default.code, 0) << by_default.out << by_default.err;
  const Result threads = strain(head + " --no-fibers");
  EXPECT_EQ(threads.code, kTsanBuild ? 0 : 1) << threads.out << threads.err;
  // The environment says the same: STRAIN_FIBERS=0 runs threads, =1 fibers.
  const Result env_off = strain(head, "STRAIN_FIBERS=0");
  EXPECT_EQ(env_off.code, kTsanBuild ? 0 : 1) << env_off.out << env_off.err;
  const Result env_on = strain(head, "STRAIN_FIBERS=1");
  EXPECT_EQ(env_on.code, 0) << env_on.out << env_on.err;
  if (kTsanBuild) return;
  EXPECT_NE(threads.out.find("the roles ran on one thread"), std::string::npos) << threads.out;
  const std::size_t at = threads.out.find("replay: ");
  ASSERT_NE(at, std::string::npos) << threads.out;
  const std::string replay = threads.out.substr(at + 8, threads.out.find('\n', at) - at - 8);
  EXPECT_NE(replay.find(" --no-fibers"), std::string::npos) << replay;
  const Result again = shell(replay);
  EXPECT_NE(again.out.find("failed 1 of 1 runs"), std::string::npos) << again.out << again.err;
}

// The free strain::expect finds the role's context through the thread's:
// the second role's failure is its own, whichever role's fiber ran last
// before it (each case a seed of its own, so the orders vary).
TEST(Fibers, EachRoleFailsInItsOwnContext) {
  std::string cases;
  for (int k = 0; k < 6; ++k)
    cases += "  - { name: expect" + std::to_string(k) +
             ", params: { variant: free_expect }, expect: violation }\n";
  const SpecRun run = run_spec_text("fiber_roles_expect", fiber_roles_yaml(cases));
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  ASSERT_EQ(report["cases"].size(), 6u);
  for (const auto& c : report["cases"]) {
    ASSERT_FALSE(c["first_failure"].is_null()) << c.dump(2);
    EXPECT_EQ(c["first_failure"]["message"], "role second#0: the second role's free expect")
        << c.dump(2);
  }
}

// Each role handles its own exceptions: a rethrow inside a catch block,
// after points at which the other role caught one of its own, gets the
// role's own back.
TEST(Fibers, EachRoleRethrowsItsOwnException) {
  const SpecRun run = run_spec_text(
      "fiber_roles_rethrow",
      fiber_roles_yaml("  - { name: rethrow, params: { variant: rethrow }, expect: pass }\n"));
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  ASSERT_EQ(report["cases"].size(), 1u);
  EXPECT_EQ(report["cases"][0]["verdict"], "met") << report.dump(2);
  EXPECT_EQ(report["cases"][0]["trials"], 200) << report.dump(2);
}

// A std::recursive_mutex knows its owner by the thread's id, which fibers
// share: the steered lock keeps a fiber's owner and depth itself
// (sched/fiber_mutexes.hpp), so one role at a time is inside, taking it
// again inside, as threads; without that the second fiber got in as a
// recursion of the first's (a violation).
TEST(Fibers, ARecursiveMutexKeepsOneFiberInside) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "fiber_roles_recursive",
      fiber_roles_yaml("  - { name: fibers, params: { variant: recursive }, expect: pass }\n"
                       "  - { name: threads, params: { variant: recursive }, expect: pass,\n"
                       "      schedule: { strategy: { fibers: false } } }\n"));
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  const auto* fibers = find_case(report, "fiber_roles_recursive/fibers");
  const auto* threads = find_case(report, "fiber_roles_recursive/threads");
  ASSERT_TRUE(fibers != nullptr && threads != nullptr) << report.dump(2);
  for (const auto* c : {fibers, threads}) {
    EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
    EXPECT_EQ((*c)["trials"], 200) << c->dump(2);
    EXPECT_GT((*c)["interleavings"]["distinct"].get<int>(), 1) << c->dump(2);
  }
}

// What code asks of its own thread follows the fiber: errno, the C
// library's per thread (a role's value read after a point is its own; the
// first role read the second's without the swap), and the stack
// pthread_getattr_np gives (the fiber's, which holds its locals; the OS
// thread's does not).
TEST(Fibers, EachFiberKeepsItsOwnErrnoAndStack) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  for (const std::string variant : {"errno", "stack"}) {
    SCOPED_TRACE(variant);
    const std::string name = "fiber_roles_" + variant;
    const SpecRun run = run_spec_text(
        name, fiber_roles_yaml("  - { name: fibers, params: { variant: " + variant +
                               " }, expect: pass }\n"
                               "  - { name: threads, params: { variant: " +
                               variant +
                               " }, expect: pass,\n"
                               "      schedule: { strategy: { fibers: false } } }\n"));
    EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
    for (const char* mode : {"/fibers", "/threads"}) {
      const auto* c = find_case(run.report, name + mode);
      ASSERT_NE(c, nullptr) << run.report.dump(2);
      EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
      EXPECT_EQ((*c)["trials"], 200) << c->dump(2);
    }
  }
}

// A deadlock between the two fibers names each role's own function and line,
// from the shadow stack each kept across the switches.
TEST(Fibers, ADeadlockNamesEachRolesOwnLines) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "fiber_roles_cycle",
      fiber_roles_yaml("  - { name: cycle, params: { variant: cycle }, expect: deadlock }\n"
                       "  - { name: ordered, params: { variant: ordered }, expect: pass }\n"));
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  const auto* cycle = find_case(report, "fiber_roles_cycle/cycle");
  ASSERT_NE(cycle, nullptr);
  ASSERT_FALSE((*cycle)["first_failure"].is_null()) << cycle->dump(2);
  const std::string message = (*cycle)["first_failure"]["message"];
  EXPECT_TRUE(std::regex_search(
      message, std::regex("thread first#0 waits in pthread_mutex_lock[^\n]*\n +at [^\n]*"
                          "take_a_then_b[^\n]*fiber_roles.cpp:[0-9]+\n +called from [^\n]*first")))
      << message;
  EXPECT_TRUE(std::regex_search(
      message, std::regex("thread second#0 waits in pthread_mutex_lock[^\n]*\n +at [^\n]*"
                          "take_b_then_a[^\n]*fiber_roles.cpp:[0-9]+\n +called from [^\n]*second")))
      << message;
  const auto* ordered = find_case(report, "fiber_roles_cycle/ordered");
  ASSERT_NE(ordered, nullptr);
  EXPECT_EQ((*ordered)["verdict"], "met") << ordered->dump(2);
}

// A role that spins without a point holds the turn for good: the hang names
// it as the role the fibers' thread runs, with its stack there.
TEST(Fibers, AHangNamesTheRoleItsThreadRuns) {
  const SpecRun r = run_test_spec("controlled", "--fibers", "controlled-fibers");
  EXPECT_EQ(r.run.code, 0) << r.run.out << r.run.err;
  ASSERT_FALSE(r.report.is_null()) << r.run.out << r.run.err;
  const auto& c = r.report["cases"][0];
  EXPECT_EQ(c["verdict"], "met") << c.dump(2);
  const std::string message = c["first_failure"]["message"];
  if (kTsanBuild) return;  // the roles ran as threads
  // Its stack's first frame is in Fault::first, or in what the compiler
  // inlined there (the spin's std::atomic load), whichever instruction the
  // sample caught.
  EXPECT_TRUE(std::regex_search(
      message,
      std::regex("\nthread first#0 \\(the fibers' thread\\):\n    #0 [^\n]*(\n +inlined in [^\n]*)*"
                 "Fault::first")))
      << message;
}

// The threads the code under test starts are fibers too: the steered specs
// (std::thread, std::jthread, std::async, pthread_create, joins, condition
// variables, a detached thread) meet every expectation with --fibers, and
// each failure's replay line (which carries --fibers) fails again.
TEST(Fibers, TheSteeredSpecsMeetTheirExpectationsAsFibers) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  for (const std::string name : {"std_bank_account", "std_shared_counter", "std_queue_pipeline",
                                 "std_async_sum", "sctbench", "std_eventfd_queue"}) {
    SCOPED_TRACE(name);
    const std::string json = kWork + "/fibers-steered-" + name + ".json";
    const Result r = strain("run specs/steered/" + name + ".yaml --fibers --report json:" + json);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    int failures = 0;
    const auto report = read_json(json);
    for (const auto& c : report["cases"]) {
      EXPECT_EQ(c["verdict"], "met") << c.dump(2);
      if (c["first_failure"].is_null()) continue;
      ++failures;
      const std::string replay = c["first_failure"]["replay"];
      EXPECT_NE(replay.find(" --fibers"), std::string::npos) << replay;
      expect_replay_fails(replay, 3);
    }
    EXPECT_GT(failures, 0) << r.out;
  }
}

// A started thread that spins without a point holds the turn for good: as a
// fiber it is what the fibers' thread runs, named as the code's thread, at
// its loop; the role that started it is named with where it was switched
// out (no other thread is sampled).
TEST(Fibers, AStartedThreadIsAFiberOfTheSameThread) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "fibers_spin_plain",
      "plugin: spin_plain\n"
      "schedule: { trials: 10, budget: 20s, timeout: 1s, seed: 3,\n"
      "  strategy: { name: controlled, pick: random, plain_accesses: off, fibers: true } }\n"
      "cases:\n"
      "  - { name: spin, expect: hang }\n");
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  const auto& report = run.report;
  const auto* spin = find_case(report, "fibers_spin_plain/spin");
  ASSERT_NE(spin, nullptr) << report.dump(2);
  const std::string m = (*spin)["first_failure"]["message"];
  EXPECT_NE(m.find("main#0/thread1 holds the turn"), std::string::npos) << m;
  EXPECT_TRUE(
      std::regex_search(m, std::regex("\nthread main#0/thread1 \\(the fibers' thread\\):\n(    "
                                      "[^\n]*\n)*    #[0-9] [^\n]*wait_for_flag")))
      << m;
  // As a thread it would be listed apart, after the roles' team thread.
  EXPECT_EQ(m.find("\nthread main#0:"), std::string::npos) << m;
  // The switched-out fiber that started it is named with its wait, at the
  // test body's line (its stack cannot be sampled).
  EXPECT_TRUE(std::regex_search(
      m, std::regex("\nthread main#0 \\(a fiber, switched out, waits in pthread_join\\):\n"
                    " +at std::thread::join\\(\\)\n +in [^\n]*spin_plain.cpp:[0-9]+")))
      << m;
}

// A started thread that ends by pthread_exit ends its fiber, not the fibers'
// thread: the joiner gets its value, as from a thread.
TEST(Fibers, AStartedThreadEndsByPthreadExitWithItsValue) {
  const SpecRun run =
      run_spec_text("fibers_exit",
                    "plugin: role_threads\n"
                    "params: { variant: exit }\n"
                    "schedule: { roles: { owner: 2 }, trials: 200, budget: 30s, timeout: 5s,\n"
                    "  strategy: { name: controlled, fibers: true } }\n" +
                        std::string(kFibersAndThreadsCases));
  expect_each_met(run, 2, 200, false);
}

// pthread_tryjoin_np and pthread_timedjoin_np of a started thread are the
// scheduler's, as pthread_join is: as a fiber the pthread_t is a stand-in
// glibc's would read as a thread (a crash); as a thread glibc's timed join
// waited in the kernel for a thread that waited for the turn it held. And a
// thread started with a deep stack (pthread_attr_setstacksize) gets it as a
// fiber too (the fibers' 8 MiB overflowed: a crash).
TEST(Fibers, AStartedThreadIsJoinedByTryjoinAndTimedjoinAndGetsItsStack) {
  for (const char* variant : {"tryjoin", "timedjoin", "deep_stack"}) {
    SCOPED_TRACE(variant);
    const std::string name = std::string("fibers_") + variant;
    const SpecRun run = run_spec_text(
        name, std::string("plugin: role_threads\nparams: { variant: ") + variant +
                  " }\n"
                  "schedule: { roles: { owner: 2 }, trials: 200, budget: 30s, timeout: 5s,\n"
                  "  strategy: { name: controlled } }\n" +
                  kFibersAndThreadsCases);
    expect_each_met(run, 2, 200, true);
  }
}

}  // namespace
