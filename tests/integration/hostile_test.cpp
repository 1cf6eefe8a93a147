// Hostile and careless input, as issue 13 fed it: bad paths and files for
// specs, plugins and reports, plugins that attack their worker, interrupted
// runs. Each test feeds the input that once aborted strain, lost results,
// replaced a file or left a process running, and checks what holds now.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "run_strain.hpp"
#include "runtime/tsan_build.hpp"

namespace {

using namespace strain_test;

const std::string kPlugins = "--plugin-path " + kTestPlugins + " ";

// Tests and strain are built with the same sanitizer flags (the preset's).
constexpr bool kTsanBuild = STRAIN_IS_TSAN_BUILD;
const std::string kTrivial = "tests/integration/specs/trivial_met.yaml";

std::string scratch(const std::string& name) {
  const std::string dir = kWork + "/hostile/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// --- report paths: checked before any case runs, exit 2 -------------------

TEST(Hostile, ReportToADirectoryIsAnErrorBeforeAnyCaseRuns) {
  const std::string dir = scratch("report_dir");
  const Result r = strain(kPlugins + "run " + kTrivial + " --report json:" + dir);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--report json:" + dir + ": " + dir +
                       " is a directory; a report is written only to a regular file or a new "
                       "path"),
            std::string::npos)
      << r.err;
  // Nothing ran: the console never started.
  EXPECT_EQ(r.out.find("Running"), std::string::npos) << r.out;
}

TEST(Hostile, ReportToAnUnwritablePlaceIsAnErrorBeforeAnyCaseRuns) {
  for (const std::string path : {"/proc/strain-report.json", "/dev/null/x/report.json"}) {
    const Result r = strain(kPlugins + "run " + kTrivial + " --report junit:" + path);
    EXPECT_EQ(r.code, 2) << path << "\n" << r.err;
    EXPECT_NE(r.err.find("strain: --report junit:" + path + ": "), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("Running"), std::string::npos) << r.out;
  }
}

TEST(Hostile, ReportNeverReplacesADeviceOrAFifo) {
  const std::string dir = scratch("report_device");
  const std::string fifo = dir + "/fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {std::string("/dev/null"), fifo}) {
    const Result r = strain(kPlugins + "run " + kTrivial + " --report html:" + path);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("a report is written only to a regular file or a new path"),
              std::string::npos)
        << r.err;
  }
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(Hostile, ReportNeverOverwritesAnInput) {
  const std::string dir = scratch("report_input");
  const std::string spec = dir + "/spec.yaml";
  fs::copy_file(kSrc + "/" + kTrivial, spec);
  const std::string before = read_text(spec);
  for (const std::string kind : {"json", "junit", "html"}) {
    const Result r = strain(kPlugins + "run " + spec + " --report " + kind + ":" + spec);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(spec + " is one of the run's inputs (" + spec + ")"), std::string::npos)
        << r.err;
  }
  // The plugin library is an input too.
  const Result lib =
      strain(kPlugins + "run " + spec + " --report json:" + kTestPlugins + "/trivial.so");
  EXPECT_EQ(lib.code, 2) << lib.err;
  EXPECT_NE(lib.err.find("is one of the run's inputs"), std::string::npos) << lib.err;
  EXPECT_EQ(read_text(spec), before);
  // And merge's input reports.
  const std::string json = dir + "/a.json";
  ASSERT_EQ(strain(kPlugins + "run " + spec + " --report json:" + json).code, 0);
  const std::string report = read_text(json);
  const Result merge = strain("merge " + json + " --report json:" + json);
  EXPECT_EQ(merge.code, 2) << merge.err;
  EXPECT_EQ(read_text(json), report);
  // replay --record-trace writes a file too.
  const std::string controlled = dir + "/controlled.yaml";
  fs::copy_file(kSrc + "/tests/integration/specs/controlled.yaml", controlled);
  const std::string spec_text = read_text(controlled);
  const Result trace = strain(kPlugins +
                              "replay controlled/unsteerable_spin --seed 1 --trial 0 "
                              "--spec " +
                              controlled + " --record-trace " + controlled);
  EXPECT_EQ(trace.code, 2) << trace.err;
  EXPECT_NE(trace.err.find("--record-trace: " + controlled + " is one of the run's inputs"),
            std::string::npos)
      << trace.err;
  EXPECT_EQ(read_text(controlled), spec_text);
  // Two reports to one file.
  const Result twice =
      strain(kPlugins + "run " + spec + " --report json:" + json + " --report html:" + json);
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("is given for two reports"), std::string::npos) << twice.err;
}

// --- spec and plugin files: only regular files, bounded -----------------------

TEST(Hostile, SpecsThatAreNotRegularFilesAreErrorsNotAborts) {
  const std::string dir = scratch("spec_kinds");
  fs::copy_file(kSrc + "/" + kTrivial, dir + "/good.yaml");
  fs::create_symlink(dir + "/loop.yaml", dir + "/loop.yaml");
  ASSERT_EQ(::mkfifo((dir + "/fifo.yaml").c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = strain(kPlugins + "validate " + dir);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(dir + "/fifo.yaml:1:1: cannot read spec: the path is a FIFO, not a regular "
                             "file"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(dir + "/loop.yaml:1:1: cannot read spec: Too many levels of symbolic "
                             "links"),
            std::string::npos)
      << r.err;
  const Result zero = strain(kPlugins + "run /dev/zero");
  EXPECT_EQ(zero.code, 2) << zero.err;
  EXPECT_NE(zero.err.find("/dev/zero:1:1: cannot read spec: the path is a character device, not a "
                          "regular file"),
            std::string::npos)
      << zero.err;
}

TEST(Hostile, MergeReadsOnlyRegularFiles) {
  const std::string dir = scratch("merge_fifo");
  const std::string fifo = dir + "/shard.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = strain("merge " + fifo);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot read report " + fifo + ": the path is a FIFO, not a regular file"),
            std::string::npos)
      << r.err;
}

TEST(Hostile, AFifoInThePluginFolderIsSkippedAtOnce) {
  const std::string dir = scratch("plugin_fifo");
  fs::copy_file(kTestPlugins + "/trivial.so", dir + "/trivial.so");
  ASSERT_EQ(::mkfifo((dir + "/fifo.so").c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = strain("--plugin-path " + dir + " plugins");
  // It cost the probe's 20 s limit on every command.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("fifo.so"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("is a FIFO, not a regular file"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("trivial"), std::string::npos) << r.out;
}

TEST(Hostile, PluginStringsArePrintedSanitised) {
  const Result r = strain("--plugin-path " + kTestPlugins + "/hostile.so plugins");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the trial index at which to act\\x1b[31m"), std::string::npos) << r.out;
}

TEST(Hostile, SpecTextInErrorsIsPrintedSanitised) {
  const std::string dir = scratch("spec_escape");
  const std::string spec = dir + "/escape.yaml";
  {
    std::ofstream out(spec);
    out << "plugin: trivial\nschedule: { trials: \"\\e]0;pwned\\a\\r\\nfake: line\" }\n"
           "cases: [ { name: a } ]\n";
  }
  const Result r = strain(kPlugins + "validate " + spec);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\a'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(spec + ":2:21: 'trials' must be an integer >= 1, got "
                              "'\\x1b]0;pwned\\x07\\x0d\\x0afake: line'"),
            std::string::npos)
      << r.err;
}

// --- plugins that attack their worker -----------------------------------------

TEST(Hostile, NothingAPluginDoesToItsDescriptorsChangesACount) {
  const SpecRun s = run_test_spec("hostile");
  EXPECT_EQ(s.run.code, 0) << s.run.out << s.run.err;
  ASSERT_TRUE(s.report.is_object()) << s.run.err;
  for (const char* id : {"hostile/fd_garbage", "hostile/close_fds", "hostile/forge_result"}) {
    const auto* c = find_case(s.report, id);
    ASSERT_NE(c, nullptr) << id;
    // Five trials, no phantom sixth, and no count from garbage.
    EXPECT_EQ((*c)["trials"], 5) << id << "\n" << c->dump(1);
    EXPECT_EQ((*c)["outcomes"]["pass"], 5) << id << "\n" << c->dump(1);
    EXPECT_EQ((*c)["verdict"], "met") << id << "\n" << c->dump(1);
  }
  // The NaN is the value the invariant saw, in trial 2: not an error blamed
  // on exit(), and no phantom trial.
  const auto* nan = find_case(s.report, "hostile/nan_metric");
  ASSERT_NE(nan, nullptr);
  EXPECT_EQ((*nan)["trials"], 3) << nan->dump(1);
  EXPECT_EQ((*nan)["outcomes"]["violation"], 1) << nan->dump(1);
  EXPECT_EQ((*nan)["outcomes"]["error"], 0) << nan->dump(1);
  const std::string message = (*nan)["first_failure"]["message"];
  EXPECT_TRUE(message.starts_with("invariant 'value == value' does not hold: value=nan;"))
      << message;
}

TEST(Hostile, WhatAPluginPrintedAndNeverFlushedIsInTheReport) {
  const SpecRun s = run_test_spec("hostile", "--case hostile/stdout_line", "hostile_stdout");
  EXPECT_EQ(s.run.code, 0) << s.run.out << s.run.err;
  ASSERT_TRUE(s.report.is_object()) << s.run.err;
  const auto* c = find_case(s.report, "hostile/stdout_line");
  ASSERT_NE(c, nullptr);
  const std::string output = (*c)["output"];
  EXPECT_NE(output.find("a line the plugin printed and never flushed\n"), std::string::npos)
      << c->dump(1);
}

TEST(Hostile, AFakeTsanReportFromAPassingPluginIsNoRace) {
  // Only the tsan build parses the worker's output for reports; the plain
  // build has nothing to fool (tsan_test's KeepsNoMoreReportsThanTsanMade
  // holds the rule for both).
  if (!kTsanBuild) GTEST_SKIP() << "the plain build does not read ThreadSanitizer reports";
  const SpecRun s = run_test_spec("hostile", "--case hostile/fake_tsan_report", "hostile_fake");
  EXPECT_EQ(s.run.code, 0) << s.run.out << s.run.err;
  ASSERT_TRUE(s.report.is_object());
  const auto* c = find_case(s.report, "hostile/fake_tsan_report");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE((*c)["sanitizer_reports"].empty()) << c->dump(1);
  EXPECT_EQ(s.run.out.find("ThreadSanitizer ("), std::string::npos) << s.run.out;
}

TEST(Hostile, ADaemonisedChildEndsWithItsCase) {
  const std::string dir = scratch("daemon");
  const std::string pid_file = dir + "/daemon.pid";
  const std::string spec = dir + "/daemon.yaml";
  {
    std::ofstream out(spec);
    out << "plugin: hostile\nschedule: { trials: 3, budget: 10s, timeout: 5s }\n"
           "params: { mode: daemon, at: 1, pid_file: '"
        << pid_file << "' }\ncases: [ { name: daemon } ]\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = strain(kPlugins + "run " + spec);
  // The daemon holds the worker's stdout: the case once waited for it (101 s
  // against a 10 s budget).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string pid = read_text(pid_file);
  ASSERT_FALSE(pid.empty());
  EXPECT_NE(::kill(std::stoi(pid), 0), 0) << "daemon " << pid << " outlived the run";
}

TEST(Hostile, WorkerAndRoleProcessesEndWithAKilledStrain) {
  for (const std::string topology : {"threads", "processes"}) {
    const std::string dir = scratch("killed_" + topology);
    const std::string spec = dir + "/long_" + topology + ".yaml";
    {
      std::ofstream out(spec);
      out << "plugin: trivial\nschedule: { trials: 100000000000, budget: 60s, timeout: 5s, "
             "topology: "
          << topology << " }\ncases: [ { name: long } ]\n";
    }
    const Result r = shell(kBin + " " + kPlugins + "run " + spec +
                           " >/dev/null 2>&1 & pid=$!; sleep 2; kill -KILL $pid; wait $pid; "
                           "sleep 0.5; pgrep -f '__worke[r].*long_" +
                           topology + "' || echo none-left");
    EXPECT_NE(r.out.find("none-left"), std::string::npos) << topology << ": " << r.out;
  }
}

TEST(Hostile, KeepGoingGoesOnPastACrashOrAHang) {
  // Each fault at trial 3 of 10 ended its worker, and with it the case.
  const SpecRun s = run_test_spec("faults",
                                  "--keep-going --case faults/segfault --case faults/exit "
                                  "--case faults/spin_forever --case faults/proc_segfault",
                                  "faults_keep_going");
  ASSERT_TRUE(s.report.is_object()) << s.run.err;
  for (const auto& [id, outcome] : {std::pair<std::string, std::string>{"faults/segfault", "crash"},
                                    {"faults/exit", "error"},
                                    {"faults/spin_forever", "hang"},
                                    {"faults/proc_segfault", "crash"}}) {
    const auto* c = find_case(s.report, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ((*c)["trials"], 10) << id << "\n" << c->dump(1);
    EXPECT_EQ((*c)["outcomes"][outcome], 1) << id << "\n" << c->dump(1);
    EXPECT_EQ((*c)["outcomes"]["pass"], 9) << id << "\n" << c->dump(1);
    EXPECT_EQ((*c)["first_failure"]["trial"], 3) << id;
    EXPECT_EQ((*c)["verdict"], "met") << id;
    EXPECT_NE((*c)["note"].get<std::string>().find("the case ran in 2 workers"), std::string::npos)
        << (*c)["note"];
  }
}

TEST(Hostile, RoleThreadsTheSystemRefusesAreTheCasesErrorNotACrash) {
  // TSan reserves terabytes of address space: it cannot run under ulimit -v.
  if (kTsanBuild) GTEST_SKIP() << "the tsan build cannot run under a virtual memory limit";
  const std::string dir = scratch("refused_threads");
  const std::string spec = dir + "/many.yaml";
  {
    std::ofstream out(spec);
    out << "plugin: trivial\nschedule: { trials: 3, roles: { left: 1000 } }\n"
           "cases:\n"
           "  - { name: fibers }\n"
           "  - { name: threads, schedule: { strategy: { fibers: false } } }\n";
  }
  // 1001 stacks of 8 MiB, threads' or (the default for a controlled case)
  // fibers', do not fit in 3 GB: the 1024 allowed instances can still be
  // more than the system gives. They aborted the worker, a crash of trial 0
  // blamed on the plugin.
  const std::string json = dir + "/r.json";
  const Result r = shell("ulimit -v 3000000 && " + kBin + " " + kPlugins + "run " + spec +
                         " --report json:" + json);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto report = read_json(json);
  for (const char* mode : {"fibers", "threads"}) {
    const auto* c = find_case(report, std::string("many/") + mode);
    ASSERT_NE(c, nullptr) << mode;
    EXPECT_EQ((*c)["outcomes"]["crash"], 0) << c->dump(1);
    EXPECT_EQ((*c)["stopped_by"], "error") << c->dump(1);
    EXPECT_NE((*c)["note"].get<std::string>().find(
                  std::string("cannot start the case's 1001 role ") + mode + ": "),
              std::string::npos)
        << c->dump(1);
  }
}

// --- interrupted runs say so in every report ------------------------------------

TEST(Hostile, AnInterruptedRunSaysSoInEveryReport) {
  const std::string dir = scratch("interrupted");
  const Result r =
      strain(kPlugins + "run tests/integration/specs/interrupt.yaml --report json:" + dir +
             "/r.json --report junit:" + dir + "/r.xml --report html:" + dir +
             "/r.html 2>/dev/null & pid=$!; sleep 2; kill -INT $pid; wait $pid; "
             "echo rc=$?");
  EXPECT_NE(r.out.find("rc=130"), std::string::npos) << r.out;
  const auto json = read_json(dir + "/r.json");
  EXPECT_EQ(json["interrupted"], true);
  EXPECT_EQ(json["unfinished"], nlohmann::json::array({"interrupt/long"}));
  const std::string xml = read_text(dir + "/r.xml");
  EXPECT_NE(xml.find(R"(<testsuites name="strain" tests="2" failures="0")"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(skipped="1")"), std::string::npos) << xml;
  EXPECT_NE(xml.find(R"(<property name="interrupted" value="true"/>)"), std::string::npos) << xml;
  EXPECT_NE(xml.find(R"(<testcase name="interrupt/long" classname="interrupt" time="0"><skipped )"),
            std::string::npos)
      << xml;
  if (has_xmllint()) {
    EXPECT_EQ(std::system(("xmllint --noout --schema " + std::string(STRAIN_JUNIT_XSD) + " " + dir +
                           "/r.xml 2>/dev/null")
                              .c_str()),
              0);
  }
  const std::string html = read_text(dir + "/r.html");
  EXPECT_NE(html.find("Interrupted: 1 of 2 cases did not finish (interrupt/long)"),
            std::string::npos);
}

}  // namespace
