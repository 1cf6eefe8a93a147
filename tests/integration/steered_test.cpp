// Unmodified code under the controlled strategy (specs/steered): ordinary
// C++ with std::thread/std::mutex/std::condition_variable/std::atomic and
// plain pthread C programs, built with INSTRUMENT. Every case meets its
// expectation, every failure replays exactly, and threads the code started
// show up by name in deadlock reports and traces. Only in a build that
// steers unmodified code (not the sanitizer presets, whose runtimes own the
// same entry points).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "run_strain.hpp"

namespace {

using namespace strain_test;
namespace fs = std::filesystem;

class SteeredSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(SteeredSpec, EveryCaseMeetsItsExpectationAndEveryFailureReplaysExactly) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string name = GetParam();
  const std::string json = kWork + "/steered-" + name + ".json";
  const Result r = strain("run specs/steered/" + name + ".yaml --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  int failures = 0;
  for (const auto& c : report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    // Coverage: a steered case says how many distinct interleavings its
    // trials ran (those that ended: a trial that ended its worker is not
    // among them); a passing one ran more than one, never more than its
    // trials.
    if (c["expected"] == "pass") {
      ASSERT_TRUE(c.contains("interleavings")) << c.dump(2);
      const auto distinct = c["interleavings"]["distinct"].get<std::uint64_t>();
      EXPECT_LE(distinct, c["trials"].get<std::uint64_t>()) << c.dump(2);
      EXPECT_GT(distinct, 1u) << c.dump(2);
    }
    if (c["first_failure"].is_null()) continue;
    ++failures;
    EXPECT_EQ(c["first_failure"]["outcome"], c["expected"]) << c.dump(2);
    const std::string replay = c["first_failure"]["replay"];
    const Result again = expect_replay_fails(replay, 5);
    EXPECT_EQ(again.code, 1) << replay << "\n" << again.out << again.err;
  }
  // Each spec has bug cases, and each was found.
  EXPECT_GT(failures, 0) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Cli, SteeredSpec,
                         ::testing::Values("std_bank_account", "std_shared_counter",
                                           "std_queue_pipeline", "std_async_sum", "sctbench",
                                           "std_eventfd_queue", "asio_pool"));

// A deadlock between threads the test body started names each of them and
// the call it waits in; the recorded trace shows them start and block.
TEST(Steered, ADeadlockNamesTheThreadsTheCodeStartedAndTheirWaits) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string json = kWork + "/steered-deadlock.json";
  const Result r = strain(
      "run specs/steered/std_queue_pipeline.yaml --case "
      "std_queue_pipeline/bug_sentinel_not_reposted --report json:" +
      json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto& f = report["cases"][0]["first_failure"];
  ASSERT_FALSE(f.is_null()) << report.dump(2);
  const std::string message = f["message"];
  EXPECT_NE(message.find("thread main#0 waits in pthread_join"), std::string::npos) << message;
  // Which consumer took the sentinel and ended depends on the schedule; the
  // other waits in the condvar.
  EXPECT_TRUE(std::regex_search(message, std::regex("thread main#0/thread[12] waits in "
                                                    "pthread_cond_wait")))
      << message;
  // Where each waits, from the site and shadow stack the code recorded:
  // the consumer's line in Queue::get, and the test body that joins.
  EXPECT_TRUE(std::regex_search(
      message, std::regex("\n +at .*Queue::get.* plugins/unmodified/queue_pipeline.cpp:[0-9]+")))
      << message;
  EXPECT_TRUE(std::regex_search(
      message, std::regex("\n +in strain_test_body_std_queue_pipeline.*queue_pipeline.cpp:[0-9]+")))
      << message;

  const std::string trace = kWork + "/steered-trace.json";
  const std::string replay = f["replay"];
  const Result traced = shell(replay + " --record-trace " + trace);
  EXPECT_EQ(traced.code, 1) << traced.out << traced.err;
  const std::string text = read_text(trace);
  EXPECT_NE(text.find("main#0 thread.create"), std::string::npos) << text;
  EXPECT_NE(text.find("main#0/thread1 thread.start"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("main#0/thread[12] pthread_cond_wait"))) << text;
}

// A thread that spins on a plain variable (plain_accesses: off, so no
// points) holds the turn for good: the hang names the thread and its loop,
// from the site of its last instrumented access and its shadow stack.
TEST(Steered, AThreadSpinningOnAPlainVariableIsNamedAtItsLoopInTheHang) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string spec = kWork + "/spin_plain.yaml", json = kWork + "/spin_plain.json";
  fs::create_directories(kWork);
  std::ofstream(spec) << "plugin: spin_plain\n"
                         "schedule: { trials: 10, budget: 20s, timeout: 1s, seed: 3,\n"
                         "  strategy: { name: controlled, pick: random, plain_accesses: off } "
                         "}\n"
                         "cases:\n"
                         "  - { name: spin, expect: hang }\n";
  const Result r =
      strain("--plugin-path " + kTestPlugins + " run " + spec + " --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* spin = find_case(report, "spin_plain/spin");
  ASSERT_NE(spin, nullptr) << report.dump(2);
  const std::string m = (*spin)["first_failure"]["message"];
  EXPECT_NE(m.find("main#0/thread1 holds the turn"), std::string::npos) << m;
  EXPECT_TRUE(std::regex_search(
      m,
      std::regex("holds the turn;[^\n]*\n  at .*wait_for_flag.* tests/plugins/spin_plain.cpp:16\n"
                 "  called from .*start_waiting.* tests/plugins/spin_plain.cpp:20")))
      << m;
}

// A detached thread still running when the body returned is a finding, and
// the trial waits for it before the state goes away; joined, it passes.
TEST(Steered, AThreadLeftRunningWhenTheRolesEndIsReported) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string spec = kWork + "/detached.yaml", json = kWork + "/detached.json";
  fs::create_directories(kWork);
  std::ofstream(spec)
      << "plugin: std_detached_thread\n"
         "schedule: { trials: 500, budget: 20s, timeout: 5s, seed: 5,\n"
         "  strategy: { name: controlled, pick: random } }\n"
         "cases:\n"
         "  - { name: joined, params: { variant: joined }, expect: pass }\n"
         "  - { name: detached, params: { variant: detached }, expect: violation }\n"
         "  - { name: attr, params: { variant: attr_detached }, expect: violation }\n";
  const Result r = strain("run " + spec + " --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* detached = find_case(report, "detached/detached");
  ASSERT_NE(detached, nullptr) << report.dump(2);
  const std::string m = (*detached)["first_failure"]["message"];
  EXPECT_NE(m.find("threads still running when every role had ended: main#0/thread1 (started by "
                   "main#0, detached)"),
            std::string::npos)
      << m;
  // Started detached by its attributes: detached too, not "never joined".
  const auto* attr = find_case(report, "detached/attr");
  ASSERT_NE(attr, nullptr) << report.dump(2);
  const std::string a = (*attr)["first_failure"]["message"];
  EXPECT_NE(a.find("(started by main#0, detached)"), std::string::npos) << a;
}

// A role (not a test body) that starts a std::thread: the thread is steered
// too, a lock cycle between them is a deadlock naming both, and the
// ordered variant passes.
TEST(Steered, AThreadStartedInsideARoleIsScheduledAndNamedInADeadlock) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string spec = kWork + "/role_threads.yaml", json = kWork + "/role_threads.json";
  fs::create_directories(kWork);
  std::ofstream(spec) << "plugin: role_threads\n"
                         "schedule: { trials: 500, budget: 20s, timeout: 5s, seed: 9,\n"
                         "  strategy: { name: controlled, pick: pct } }\n"
                         "cases:\n"
                         "  - { name: ordered, params: { variant: ordered }, expect: pass }\n"
                         "  - { name: cycle, params: { variant: cycle }, expect: deadlock }\n";
  const Result r =
      strain("--plugin-path " + kTestPlugins + " run " + spec + " --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* cycle = find_case(report, "role_threads/cycle");
  ASSERT_NE(cycle, nullptr) << report.dump(2);
  const std::string m = (*cycle)["first_failure"]["message"];
  EXPECT_NE(m.find("thread owner#0 waits in pthread_"), std::string::npos) << m;
  EXPECT_NE(m.find("thread owner#0/thread1 waits in pthread_mutex_lock"), std::string::npos) << m;
}

// A thread a role started and left running records a failure into that
// role's context after the role ended: the trial's check must read it
// (every trial fails, by that expect or by the thread outliving the roles;
// none passes).
TEST(Steered, AFailureAStartedThreadRecordsAfterItsRoleEndedIsTheTrials) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const std::string spec = kWork + "/late_expect.yaml", json = kWork + "/late_expect.json";
  fs::create_directories(kWork);
  std::ofstream(spec)
      << "plugin: role_threads\n"
         "schedule: { trials: 200, budget: 20s, timeout: 5s, seed: 3,\n"
         "  roles: { owner: 2 }, strategy: { name: controlled, pick: random } }\n"
         "cases:\n"
         "  - { name: late, params: { variant: late_expect }, expect: violation }\n";
  const Result r = strain("--plugin-path " + kTestPlugins + " run " + spec +
                          " --keep-going --report json:" + json);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto report = read_json(json);
  const auto* late = find_case(report, "late_expect/late");
  ASSERT_NE(late, nullptr) << report.dump(2);
  EXPECT_EQ((*late)["trials"], 200) << late->dump(2);
  EXPECT_EQ((*late)["outcomes"].value("pass", 0), 0) << late->dump(2);
}

// A function-local static whose constructor takes a std::mutex: the second
// role to call it while the first is inside the constructor waits in
// libstdc++'s __cxa_guard_acquire, a futex wait through syscall(), which
// the host steers: the first role is run on, no trial hangs, the static is
// built once. Each case is a worker of its own (the static lives once per
// process), so eight seeds give eight first trials; most contend.
TEST(Steered, AFunctionLocalStaticBuiltByTwoRolesAtOnceIsWaitedForNotHung) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text("magic_static",
                                    "plugin: magic_static\n"
                                    "schedule: { trials: 5, budget: 30s, timeout: 5s,\n"
                                    "  strategy: { name: controlled, pick: random } }\n"
                                    "matrix: { schedule.seed: [1, 2, 3, 4, 5, 6, 7, 8] }\n"
                                    "show: [contended]\n" +
                                        std::string(kFibersAndThreadsCases));
  expect_each_met(run, 16, 5, false);
  int contended_fibers = 0, contended_threads = 0;
  for (const auto& c : run.report["cases"]) {
    const bool contended = c["measured"]["contended"]["max"].get<double>() > 0;
    const std::string id = c["id"];
    (id.find("/fibers/") != std::string::npos ? contended_fibers : contended_threads) +=
        contended ? 1 : 0;
  }
  EXPECT_GT(contended_fibers, 0) << run.report.dump(2);
  EXPECT_GT(contended_threads, 0) << run.report.dump(2);
}

// role_threads' variant `variant` with `owners` roles, 200 trials under
// controlled/pct as fibers and as threads: every case met, in more than
// one interleaving.
void expect_role_threads_met(const std::string& variant, int owners) {
  const SpecRun run = run_spec_text(
      "role_threads_" + variant, "plugin: role_threads\nparams: { variant: " + variant +
                                     " }\nschedule: { roles: { owner: " + std::to_string(owners) +
                                     " }, trials: 200, budget: 30s, timeout: 5s,\n"
                                     "  strategy: { name: controlled, pick: pct } }\n" +
                                     kFibersAndThreadsCases);
  expect_each_met(run, 2, 200, true);
}

// A pthread barrier of three roles, met twice: each wait is parked in the
// scheduler (glibc's would wait in the kernel for roles waiting for the
// turn it held: a hang), every role leaves after all arrived, and one per
// round is told it was the serial thread.
TEST(Steered, APthreadBarrierIsWaitedAtInTheSchedule) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  expect_role_threads_met("barrier", 3);
}

// pthread keys (what Boost.Thread's thread_specific_ptr and C libraries keep
// per thread): each role and each thread it started keeps its own value
// across points at which the others set theirs, and a started thread's
// destructor has run when its join returns. As fibers glibc's values were
// the one OS thread's, shared (and a fiber's destructor never ran: the
// case failed with the host's keys taken out).
TEST(Steered, PthreadKeyValuesAreEachThreadsOwnAndDestroyedBeforeTheJoin) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  expect_role_threads_met("keys", 2);
}

// Threads that wait for I/O another thread provides: a read of a pipe, a
// poll and an epoll_wait of an eventfd, a select, a socketpair's recv, and
// a poll that times out (20 ms of real time, every other thread blocked),
// and a loop that sleeps by poll() and select() with no descriptor (a
// sleep gives way: it hung with 10 s of real time per turn), and a child
// forked by a steered thread, whose calls are no trial's (it hung in its
// first lock, waiting for a turn no thread of it would give).
// Each wait is parked in the schedule, so the writer runs; in the kernel
// it would hold the turn the writer needs (each case hung at its timeout
// with the I/O exports taken out of the build).
TEST(Steered, AThreadWaitingForIoIsParkedWhileTheWriterRuns) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "io_waits",
      "plugin: io_waits\n"
      "schedule: { trials: 30, budget: 60s, timeout: 5s, strategy: { name: controlled, pick: pct } "
      "}\n"
      "matrix: { params.variant: [pipe, eventfd_poll, epoll, select, socketpair, poll_timeout,\n"
      "  sleeps, fork_child, torn_messages_locked] }\n" +
          std::string(kFibersAndThreadsCases));
  expect_each_met(run, 18, 30, false);
}

// controlled/dfs reorders a started thread's last operation (an eventfd
// write) before the body's poll of it: the search records a started
// thread's last operation where it ran, as a role's. Recorded at the
// trial's end it raced only with the joiner's wake-up, and the search
// called one interleaving complete while the other failed.
TEST(Steered, TheExhaustiveSearchTriesAStartedThreadsLastWriteBeforeTheWait) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "io_dfs",
      "plugin: io_waits\n"
      "schedule: { trials: 100, budget: 30s, timeout: 5s, strategy: { name: controlled, pick: dfs "
      "} "
      "}\n"
      "cases:\n"
      "  - { name: early, params: { variant: early }, expect: violation }\n"
      "  - { name: early_block, params: { variant: early_block }, expect: pass }\n"
      "  - { name: early_block_threads, params: { variant: early_block }, expect: pass,\n"
      "      schedule: { strategy: { fibers: false } } }\n");
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  ASSERT_EQ(run.report["cases"].size(), 3u) << run.run.out << run.run.err;
  for (const auto& c : run.report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    if (c["expected"] != "pass") continue;
    EXPECT_EQ(c["explored"]["complete"], true) << c.dump(2);
    EXPECT_EQ(c["explored"]["interleavings"], 2) << c.dump(2);
  }
}

// Two readers of one pipe read a two-byte message each with two one-byte
// reads: each read is a point, so the schedule interleaves them and tears a
// message; the failure replays exactly, as fibers and as threads.
TEST(Steered, InterleavedReadsOfAPipeAreFoundAndReplayed) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "io_torn",
      "plugin: io_waits\n"
      "params: { variant: torn_messages }\n"
      "schedule: { trials: 200, budget: 30s, timeout: 5s,\n"
      "  strategy: { name: controlled, pick: pct } }\n"
      "cases:\n"
      "  - { name: fibers, expect: violation }\n"
      "  - { name: threads, expect: violation, schedule: { strategy: { fibers: false } } }\n");
  ASSERT_EQ(run.report["cases"].size(), 2u) << run.run.out << run.run.err;
  for (const auto& c : run.report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    ASSERT_FALSE(c["first_failure"].is_null()) << c.dump(2);
    EXPECT_NE(c["first_failure"]["message"].get<std::string>().find("a whole message"),
              std::string::npos)
        << c.dump(2);
    expect_replay_fails(c["first_failure"]["replay"], 3);
  }
}

// A reader that holds the mutex the writer needs: every thread blocked, one
// on a pipe. That is no deadlock the scheduler can prove (a process outside
// could write the pipe), so the scheduler waits in the kernel and the
// watchdog ends the trial as a hang whose report names both waits and says
// it waits for I/O, not a thread that spins (so the default strategy does
// not retry the case under chaos as code it cannot steer).
TEST(Steered, ADeadlockThroughAPipeIsAHangThatNamesEveryWait) {
  if (!STRAIN_STEERS_UNMODIFIED) GTEST_SKIP() << "this build does not steer unmodified code";
  const SpecRun run = run_spec_text(
      "io_deadlock",
      "plugin: io_waits\n"
      "params: { variant: pipe_deadlock }\n"
      "schedule: { trials: 50, budget: 30s, timeout: 1s }\n"
      "cases:\n"
      "  - { name: defaulted, expect: hang }\n"
      "  - { name: threads, expect: hang,\n"
      "      schedule: { strategy: { name: controlled, pick: random, fibers: false } } }\n");
  ASSERT_EQ(run.report["cases"].size(), 2u) << run.run.out << run.run.err;
  for (const auto& c : run.report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    ASSERT_FALSE(c["first_failure"].is_null()) << c.dump(2);
    const std::string m = c["first_failure"]["message"];
    EXPECT_NE(m.find("the scheduler waits in the kernel for I/O"), std::string::npos) << m;
    EXPECT_TRUE(std::regex_search(
        m, std::regex("thread main#0 waits in read for fd [0-9]+ \\(a pipe\\) to be readable\n"
                      " +at [^\n]*read_all")))
        << m;
    EXPECT_TRUE(std::regex_search(
        m, std::regex("thread main#0/thread1 waits in pthread_mutex_lock \\(on 0x[0-9a-f]+\\)")))
        << m;
  }
}

}  // namespace
