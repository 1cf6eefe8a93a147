// End to end: faults of a plugin become outcomes of their trial, replays
// reproduce them, a signal ends the run cleanly, and ThreadSanitizer's
// reports are classified per build.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "run_strain.hpp"
#include "runtime/tsan_build.hpp"

extern char** environ;

namespace {

using namespace strain_test;

// The faults spec's report: every fault an outcome of its trial.
void expect_faults_as_outcomes(const Result& r, const nlohmann::json& report) {
  EXPECT_EQ(r.code, 0) << r.out << r.err;
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
    // Only what says where the plugin is: no frame of strain (its binary,
    // its role dispatch), none of the thread's start in libstdc++ and libc,
    // and source paths normalised (no build/default/../../).
    for (const char* noise : {"(strain+0x", "scenario.hpp", "execute_native_thread_routine",
                              "start_thread", "clone", "/../", " ../"})
      EXPECT_EQ(hang.find(noise), std::string::npos) << noise << " in\n" << hang;
    EXPECT_NE(hang.find("tests/plugins/fault.cpp:"), std::string::npos) << hang;
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

// Workers forked by the zygote (exec/zygote.hpp), the default.
TEST(Cli, FaultsBecomeOutcomesOfTheirTrialAndTheRunGoesOn) {
  auto [r, report] = run_test_spec("faults");
  expect_faults_as_outcomes(r, report);
}

// Workers exec'd one by one, as when the zygote cannot run.
TEST(Cli, FaultsBecomeOutcomesAlsoInWorkersStartedByExec) {
  auto [r, report] = run_test_spec("faults", "", "faults_exec", "STRAIN_ZYGOTE=0");
  expect_faults_as_outcomes(r, report);
}

// A batch (schedule.batch 8) runs trials 0-7 together, in either
// topology: a fault recorded in a context is its own trial's; a crash or
// hang is the batch's, said so, from its first trial, and the case after
// them runs. A ThreadSanitizer build runs one trial at a time: there each
// fault is trial 3's.
TEST(Cli, FaultsInABatchAreItsTrialsOrTheBatchs) {
  auto [r, report] = run_test_spec("faults_batched");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const bool batched = report["build"] == "plain";
  using Want = std::tuple<std::string, int, int, std::string>;  // outcome, passes, trial, text
  // A crash or hang: the batch's, from trial 0, or trial 3's after 3 passes.
  const auto fault = [&](const std::string& outcome, const std::string& in_batch,
                         const std::string& alone) {
    return batched ? Want{outcome, 0, 0, in_batch} : Want{outcome, 3, 3, alone};
  };
  const std::string batch_trial =
      "trial 0 (or one of the 7 trials after it, run with it as a batch: rerun with "
      "schedule.batch 1 to tell which)";
  const std::string batch_limit = "after 2s (the 0.25s timeout for each of up to 8 trials";
  const std::string segv = "killed by signal SIGSEGV (Segmentation fault)";
  const std::string stuck = "role processes still running: first#0 (pid ";
  const Want thrown{"error", 3, 3, "role first#0: thrown at the chosen trial"};
  const std::map<std::string, Want> expected = {
      {"throw", thrown},
      {"proc_throw", thrown},
      {"segfault", fault("crash", segv + " during " + batch_trial, segv + " during trial 3")},
      {"proc_segfault", fault("crash", segv + " during " + batch_trial, segv)},
      {"spin_forever",
       fault("hang",
             "trials 0-7, a batch, still running " + batch_limit +
                 "; the roles run them one after another, so the one that hangs is among them)",
             "trial 3 still running after the 0.25s timeout")},
      {"proc_spin_forever",
       fault("hang", batch_trial + " still running " + batch_limit + "); " + stuck,
             "trial 3 still running after the 0.25s timeout; " + stuck)},
  };
  for (const auto& [name, want] : expected) {
    const auto& [outcome, passes, trial, text] = want;
    const auto* c = find_case(report, "faults_batched/" + name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ((*c)["verdict"], "met") << c->dump(2);
    EXPECT_EQ((*c)["outcomes"]["pass"], passes) << name;
    EXPECT_EQ((*c)["outcomes"][outcome], 1) << name;
    ASSERT_FALSE((*c)["first_failure"].is_null()) << name;
    EXPECT_EQ((*c)["first_failure"]["trial"], trial) << name;
    const std::string message = (*c)["first_failure"]["message"];
    EXPECT_NE(message.find(text), std::string::npos) << name << ": " << message;
  }
  const auto* after = find_case(report, "faults_batched/after_all_that");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ((*after)["outcomes"]["pass"], 10);
}

// The children of process `parent`, each with its command line.
std::vector<std::pair<pid_t, std::string>> children_of(pid_t parent) {
  std::vector<std::pair<pid_t, std::string>> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2 || ppid != parent)
      continue;
    std::ifstream cmd(e.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    std::replace(args.begin(), args.end(), '\0', ' ');
    out.emplace_back(static_cast<pid_t>(std::stoi(name)), args);
  }
  return out;
}

// Starts strain on the faults spec's `filter` with a JSON report at `json`
// and STRAIN_ZYGOTE=`zygote`, without waiting for it.
pid_t start_tree(const std::string& filter, const std::string& json, const std::string& zygote) {
  std::vector<std::string> args{kBin,
                                "--plugin-path",
                                kTestPlugins,
                                "run",
                                kSrc + "/tests/integration/specs/process_tree.yaml",
                                "--filter",
                                filter,
                                "--quiet",
                                "--report",
                                "json:" + json};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string env_zygote = "STRAIN_ZYGOTE=" + zygote;
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string_view(*e).substr(0, 14) != "STRAIN_ZYGOTE=") envp.push_back(*e);
  envp.push_back(env_zygote.data());
  envp.push_back(nullptr);
  pid_t host = -1;
  if (::posix_spawn(&host, kBin.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0)
    return -1;
  return host;
}

// How many threads process `pid` runs (0 once it is gone).
int threads_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  return 0;
}

// strain's zygote and workers, seen from /proc until a worker runs its roles
// (or 10 s passed). Not merely forked: a zygote killed between its fork and
// telling strain about it leaves strain to start the case in an exec'd
// worker instead (TSan beside the rest of the suite made that window wide
// enough to hit); a worker running its role threads was announced long ago.
struct Tree {
  std::vector<std::pair<pid_t, std::string>> zygotes, workers;
};
Tree look_for_worker(pid_t host) {
  Tree t;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const auto running = [&t] { return !t.workers.empty() && threads_of(t.workers[0].first) >= 3; };
  while (!running() && std::chrono::steady_clock::now() < until) {
    ::usleep(5000);
    t = Tree{};
    for (const auto& [pid, cmd] : children_of(host)) {
      if (cmd.find("__zygote") != std::string::npos) {
        t.zygotes.emplace_back(pid, cmd);
        for (const auto& w : children_of(pid)) t.workers.push_back(w);
      } else if (cmd.find("__worker") != std::string::npos) {
        t.workers.emplace_back(pid, cmd);
      }
    }
  }
  return t;
}

// Where the worker of a case that hangs for its 4 s timeout sits in the
// process tree, with `zygote` ("0" or "1") in STRAIN_ZYGOTE: a child of the
// zygote, itself a child of strain; or strain's own child.
void expect_worker_parent(const std::string& zygote) {
  const std::string json = kWork + "/tree_" + zygote + ".json";
  const pid_t host = start_tree("process_tree/spin_forever", json, zygote);
  ASSERT_GT(host, 0);
  // The case hangs for 4 s from its first trial: look at the tree meanwhile.
  const Tree t = look_for_worker(host);
  int status = 0;
  ::waitpid(host, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_EQ(t.workers.size(), 1u) << "no worker seen under strain (pid " << host << ")";
  if (zygote == "1") {
    ASSERT_EQ(t.zygotes.size(), 1u);
    EXPECT_EQ(t.workers[0].second, t.zygotes[0].second) << "a fork of the zygote, not an exec";
  } else {
    EXPECT_TRUE(t.zygotes.empty());
    EXPECT_NE(t.workers[0].second.find("__worker"), std::string::npos) << t.workers[0].second;
  }
  const nlohmann::json report = read_json(json);
  EXPECT_EQ(report["cases"][0]["verdict"], "met") << report.dump(2);
}

TEST(Cli, WorkersAreForkedByTheZygote) { expect_worker_parent("1"); }
TEST(Cli, WorkersAreExecdWithoutTheZygote) { expect_worker_parent("0"); }

// A zygote that dies under a running case: that case says so (an error,
// not a crash of the plugin), and the next case runs in an exec'd worker.
TEST(Cli, AZygoteThatDiesIsNamedAndTheRunGoesOnWithoutIt) {
  const std::string json = kWork + "/zygote_killed.json";
  const pid_t host = start_tree("process_tree/spin_forever:process_tree/after_it", json, "1");
  ASSERT_GT(host, 0);
  const Tree t = look_for_worker(host);
  ASSERT_EQ(t.zygotes.size(), 1u);
  // Killed while its worker runs the case (see look_for_worker).
  ASSERT_EQ(t.workers.size(), 1u) << "no worker seen under the zygote (pid " << t.zygotes[0].first
                                  << ")";
  ::kill(t.zygotes[0].first, SIGKILL);
  int status = 0;
  ::waitpid(host, &status, 0);
  const nlohmann::json report = read_json(json);
  const auto* hung = find_case(report, "process_tree/spin_forever");
  ASSERT_NE(hung, nullptr) << report.dump(2);
  EXPECT_EQ((*hung)["outcomes"]["error"], 1) << hung->dump(2);
  const std::string message = (*hung)["first_failure"]["message"];
  EXPECT_NE(message.find("the worker zygote (pid " + std::to_string(t.zygotes[0].first) +
                         ") died during trial"),
            std::string::npos)
      << message;
  const auto* after = find_case(report, "process_tree/after_it");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ((*after)["verdict"], "met") << after->dump(2);
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

// Under a real scheduler a worker's threads keep one timing pattern, which
// can hide a bug in every run it makes: replay starts a fresh worker every 5
// runs. Under controlled the replay is exact and one worker runs them all.
TEST(Cli, ARealScheduleReplaySpreadsItsRunsOverFreshWorkers) {
  const Result real = strain("--plugin-path " + kTestPlugins +
                             " replay trivial_met/pass --seed 5 --trial 0 --repeat 12 --spec "
                             "tests/integration/specs/trivial_met.yaml");
  EXPECT_EQ(real.code, 0) << real.out << real.err;
  EXPECT_NE(real.out.find("failed 0 of 12 runs"), std::string::npos) << real.out;
  EXPECT_NE(real.out.find("workers: 3 (a fresh one every 5 runs"), std::string::npos) << real.out;
  // A pass under a real scheduler says that the timing was not replayed.
  EXPECT_NE(real.out.find("note: the trial ran under a real scheduler, whose timing no seed "
                          "fixes: a failure it found may take many runs to come back (ran 12; "
                          "try --repeat 100)"),
            std::string::npos)
      << real.out;
  const Result exact = strain("--plugin-path " + kTestPlugins +
                              " replay tsan_kinds/clean_controlled --seed 11 --trial 0 --repeat 12 "
                              "--spec tests/integration/specs/tsan_kinds.yaml");
  EXPECT_EQ(exact.code, 0) << exact.out << exact.err;
  EXPECT_NE(exact.out.find("failed 0 of 12 runs"), std::string::npos) << exact.out;
  EXPECT_NE(exact.out.find("in 12 runs"), std::string::npos) << exact.out;
  EXPECT_EQ(exact.out.find("workers:"), std::string::npos) << exact.out;
  EXPECT_EQ(exact.out.find("real scheduler"), std::string::npos) << exact.out;
}

TEST(Cli, SigtermEndsTheWorkerAndWritesWhatFinished) {
  const std::string json = kWork + "/interrupt.json";
  fs::remove(json);
  // The spec from a folder of its own, so that the worker looked for below
  // is this test's, not that of another test running the same spec.
  const std::string dir = kWork + "/sigterm_run";
  fs::create_directories(dir);
  fs::copy_file(kSrc + "/tests/integration/specs/interrupt.yaml", dir + "/interrupt.yaml",
                fs::copy_options::overwrite_existing);
  const Result r =
      // SIGTERM once the quick case is reported (not after a fixed sleep:
      // on a loaded 2-core machine its worker may take seconds to start),
      // while the long one runs.
      strain("--plugin-path " + kTestPlugins + " run " + dir +
             "/interrupt.yaml --report json:" + json + " >" + kWork + "/interrupt.out 2>" + kWork +
             "/interrupt.err & pid=$!; for i in $(seq 600); do " + "grep -q 'interrupt/quick' " +
             kWork + "/interrupt.out && break; sleep 0.1; done; " +
             "sleep 0.5; kill -TERM $pid; wait $pid; echo rc=$?");
  EXPECT_NE(r.out.find("rc=130"), std::string::npos) << r.out << r.err;
  std::ifstream err_in(kWork + "/interrupt.err");
  const std::string err((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(err.find("interrupted; 1 of 2 cases finished"), std::string::npos) << err;
  ASSERT_TRUE(fs::exists(json));
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 1u);
  EXPECT_EQ(report["cases"][0]["id"], "interrupt/quick");
  // The worker of the long case is gone too.
  EXPECT_NE(std::system("pgrep -f '__worker.*sigterm_run/interrupt[.]yaml' >/dev/null"), 0);
}

}  // namespace

namespace {

// Tests and strain are built with the same sanitizer flags (the preset's).
constexpr bool kTsanBuild = STRAIN_IS_TSAN_BUILD;

// Bugs only TSan sees: passed by the plain build, classified by kind in the
// tsan build (a lock-order inversion is a `deadlock`, a data race a `race`).
TEST(Cli, SanitizerKindsAreClassifiedPerBuild) {
  auto [r, report] = run_test_spec("tsan_kinds");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
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
  auto [all, report] = run_test_spec(
      "tsan_kinds", "--case tsan_kinds/data_race --keep-going --quiet", "tsan_keep_going");
  EXPECT_EQ(all.code, 0) << all.out << all.err;
  const auto& c = report["cases"][0];
  const int races = c["outcomes"]["race"];
  EXPECT_GT(races, 100) << c["outcomes"].dump();
  ASSERT_EQ(c["sanitizer_reports"].size(), 1u) << c["sanitizer_reports"].dump(2);
  EXPECT_EQ(c["sanitizer_reports"][0]["count"], races);
}

}  // namespace
