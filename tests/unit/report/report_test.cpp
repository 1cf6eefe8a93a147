// Reporter tests: golden files per reporter (as googletest and Catch2 check
// their own reporters), schema validation of the JUnit output, and the
// registry's error messages.
//
// Run with STRAIN_UPDATE_GOLDEN=1 to rewrite the golden files after an
// intended change, then review the diff.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "report/format.hpp"
#include "report/live_line.hpp"
#include "report/reporter.hpp"

namespace strain::report {
namespace {

namespace fs = std::filesystem;
using model::Outcome;

model::OutcomeCounts counts(std::initializer_list<std::pair<Outcome, std::uint64_t>> list) {
  model::OutcomeCounts c{};
  for (const auto& [o, n] : list) c[static_cast<std::size_t>(o)] = n;
  return c;
}

// Three cases covering what reporters distinguish: a met pass case, a seeded
// bug that was found (met, with a first failure), and an unmet case whose
// message needs escaping. Every timing is an input, so output is deterministic
// except for the JUnit hostname.
model::RunSummary sample_summary() {
  model::RunSummary s;
  s.build = "plain";
  s.seed = 42;
  s.timestamp = "2024-05-01T12:00:00Z";
  s.elapsed_s = 2.61;

  model::CaseResult fixed;
  fixed.id = "bank_account/fixed";
  fixed.spec_name = "bank_account";
  fixed.spec_path = "specs/bank_account.yaml";
  fixed.case_name = "fixed";
  fixed.plugin = "bank_account";
  fixed.matrix = {{"variant", "fixed"}, {"topology", "threads"}};
  fixed.spec_seed = 42;
  fixed.expected = Outcome::pass;
  fixed.met = true;
  fixed.trials = 20000;
  fixed.elapsed_s = 0.0485;
  fixed.outcomes = counts({{Outcome::pass, 20000}});
  fixed.stopped_by = model::StopReason::trials;
  fixed.measured = {{"sequential_s", 20000, 0.0123456, 0.0101, 0.015},
                    {"speedup", 19990, 1.73456, 0.5, 1980.25}};
  s.results.push_back(fixed);

  model::CaseResult unlocked = fixed;
  unlocked.measured.clear();
  unlocked.id = "bank_account/unlocked";
  unlocked.case_name = "unlocked";
  unlocked.matrix = {{"variant", "unlocked"}, {"topology", "threads"}};
  unlocked.expected = Outcome::violation;
  unlocked.trials = 18;
  unlocked.elapsed_s = 0.0125;
  unlocked.outcomes = counts({{Outcome::pass, 17}, {Outcome::violation, 1}});
  unlocked.stopped_by = model::StopReason::failure;
  unlocked.metrics = {{"final_balance", -222}, {"speedup", 1.5}};
  unlocked.first_failure = model::TrialFailure{
      17,
      0x9e3779b97f4a7c15ull,
      Outcome::violation,
      "invariant `final == initial + deposits - withdrawals` failed: final = 700, initial = 1000, "
      "deposits = 0, withdrawals = 200",
      0.012,
      "strain replay bank_account/unlocked --seed 42 --trial 17"};
  s.results.push_back(unlocked);

  model::CaseResult queue;
  queue.id = "queue_pipeline/no_sentinel";
  queue.spec_name = "queue_pipeline";
  queue.spec_path = "specs/queue_pipeline.yaml";
  queue.case_name = "no_sentinel";
  queue.plugin = "queue_pipeline";
  queue.matrix = {{"consumers", "3"}};
  queue.spec_seed = 42;
  queue.expected = Outcome::pass;
  queue.met = false;
  queue.trials = 3;
  queue.elapsed_s = 2.5;
  queue.outcomes = counts({{Outcome::pass, 2}, {Outcome::hang, 1}});
  queue.stopped_by = model::StopReason::failure;
  queue.first_failure = model::TrialFailure{2,
                                            18446744073709551557ull,  // largest 64-bit prime
                                            Outcome::hang,
                                            "watchdog: 1 of 3 consumers still in get() after 2s; "
                                            "queue <&\"> 'empty'\x07 bell",
                                            2.0,
                                            "strain replay queue_pipeline/no_sentinel --seed 42 "
                                            "--trial 2"};
  s.results.push_back(queue);
  return s;
}

// Sends the events a run would send for `s`, progress included.
void drive(Reporter& r, const model::RunSummary& s) {
  model::RunInfo info{s.build, s.seed, s.seed_overridden, {}, s.timestamp, s.selection};
  for (const auto& c : s.results) info.case_ids.push_back(c.id);
  r.run_started(info);
  for (const auto& c : s.results) {
    r.case_started(c.id);
    r.case_progress({c.id, c.trials / 2, c.trials, c.elapsed_s / 2, 10.0, c.outcomes});
    r.case_finished(c);
  }
  r.run_finished(s);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(STRAIN_GOLDEN_DIR) / name;
  const char* update = std::getenv("STRAIN_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_file_atomically(path.string(), actual);
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with STRAIN_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_file(path), actual)
      << "output differs from " << path << "; if intended, rerun with STRAIN_UPDATE_GOLDEN=1";
}

// A scratch directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("strain_report_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs the file reporter `name` over `s` and returns what it wrote.
std::string file_report(const std::string& name, const model::RunSummary& s, const fs::path& dir) {
  const fs::path out = dir / ("report." + name);
  auto r = make_file_reporter(name + ":" + out.string());
  drive(*r, s);
  return read_file(out);
}

std::string mask_hostname(const std::string& xml) {
  static const std::regex kHost(R"(hostname="[^"]*")");
  return std::regex_replace(xml, kHost, R"(hostname="HOSTNAME")");
}

bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

fs::path junit_schema() {
  if (const char* p = std::getenv("STRAIN_JUNIT_XSD")) return p;
  // The schema lives beside the repository, in the shared folder.
  return fs::path(STRAIN_GOLDEN_DIR) / "../../../../../shared/schemas/junit-10.xsd";
}

TEST(ConsoleReporter, PlainMatchesGolden) {
  std::ostringstream out;
  drive(*make_console_reporter(out, {}), sample_summary());
  expect_golden("console_plain.txt", out.str());
}

TEST(ConsoleReporter, TtyRewritesOneLiveLine) {
  std::ostringstream out;
  auto r = make_console_reporter(out, {.tty = true, .color = false, .quiet = true});
  r->case_progress({"bank_account/unlocked", 10, 20000, 0.5, 10.0,
                    counts({{Outcome::pass, 7}, {Outcome::violation, 3}})});
  EXPECT_EQ(
      out.str(),
      "\r\033[K  bank_account/unlocked  10/20000 trials  20.0/s  0.5s  eta 9.5s  [violation 3]");
  out.str("");
  // Quiet hides the case line but still erases the live line.
  r->case_finished(sample_summary().results[1]);
  EXPECT_EQ(out.str(), "\r\033[K");
}

TEST(ConsoleReporter, LiveLineCountsCasesAndFitsTheTerminal) {
  std::ostringstream out;
  auto r = make_console_reporter(out, {.tty = true, .quiet = true, .columns = 60});
  model::RunInfo info;
  info.case_ids = {"a", "b", "c"};
  r->run_started(info);
  r->case_started("a");
  r->case_started("shared_counter/bug_no_lock/worker=4,topology=processes");
  r->case_progress({"shared_counter/bug_no_lock/worker=4,topology=processes", 300, 1000, 1.5, 10.0,
                    counts({{Outcome::pass, 300}})});
  const std::string line = out.str().substr(std::string_view("\r\033[K").size());
  EXPECT_EQ(line, "  [2/3] ...=4,topology=processes  300/1000 trials  eta 3.5s");
  EXPECT_LE(line.size(), 59u) << "one column left free, or the terminal wraps";
}

TEST(LiveLine, NarrowTerminalsCutTheLineNotWrapIt) {
  const model::CaseProgress p{
      "bank_account/bug_unlocked/topology=threads",          12, 1500, 0.25, 10.0,
      counts({{Outcome::pass, 11}, {Outcome::violation, 1}})};
  for (const std::size_t cols : {20u, 40u, 60u, 80u, 160u}) {
    SCOPED_TRACE(cols);
    EXPECT_LE(display_width(live_line(p, 4, 15, cols)), cols - 1);
  }
  EXPECT_EQ(live_line(p, 4, 15, 160),
            "  [4/15] bank_account/bug_unlocked/topology=threads  12/1500 trials  48.0/s  0.2s  "
            "eta 9.8s  [violation 1]");
  EXPECT_EQ(live_line(p, 4, 15, 0), live_line(p, 4, 15, 160)) << "0 columns: not a terminal";
}

TEST(ConsoleReporter, ColourWrapsOnlyVerdicts) {
  std::ostringstream out;
  drive(*make_console_reporter(out, {.tty = false, .color = true, .quiet = false}),
        sample_summary());
  const std::string s = out.str();
  EXPECT_NE(s.find("\033[32m[ MET ]\033[0m bank_account/fixed"), std::string::npos);
  EXPECT_NE(s.find("\033[31m[UNMET]\033[0m queue_pipeline/no_sentinel"), std::string::npos);
  EXPECT_NE(s.find("\033[31munmet\033[0m"), std::string::npos);
  EXPECT_EQ(s.find("\r"), std::string::npos) << "no live line without a TTY";
}

TEST(ConsoleReporter, QuietPrintsOnlyTheSummary) {
  std::ostringstream out;
  drive(*make_console_reporter(out, {.tty = false, .color = false, .quiet = true}),
        sample_summary());
  const std::string s = out.str();
  EXPECT_EQ(s.find("[ MET ]"), std::string::npos);
  EXPECT_EQ(s.find("Running"), std::string::npos);
  EXPECT_EQ(s.rfind("case ", 0), 0u) << s;
  EXPECT_NE(s.find("3 cases: 2 met, 1 unmet (build: plain, seed: 42)\n"), std::string::npos);
}

TEST(JsonReporter, MatchesGolden) {
  TempDir dir;
  expect_golden("report.json", file_report("json", sample_summary(), dir.path()));
}

TEST(JsonReporter, HoldsEveryRequiredField) {
  TempDir dir;
  const auto doc = nlohmann::json::parse(file_report("json", sample_summary(), dir.path()));
  for (const char* key : {"strain_version", "format", "build", "seed", "seed_overridden",
                          "timestamp", "elapsed_s", "summary", "cases"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["summary"], (nlohmann::json{{"cases", 3}, {"met", 2}, {"unmet", 1}}));
  ASSERT_EQ(doc["cases"].size(), 3u);
  for (const auto& c : doc["cases"]) {
    for (const char* key :
         {"id", "spec", "spec_path", "case", "plugin", "matrix", "expected", "verdict", "trials",
          "elapsed_s", "trials_per_s", "outcomes", "stopped_by", "note", "first_failure"})
      EXPECT_TRUE(c.contains(key)) << key;
    EXPECT_EQ(c["outcomes"].size(), model::kOutcomeCount);
    for (const Outcome o : model::kAllOutcomes)
      EXPECT_TRUE(c["outcomes"].contains(std::string(model::to_string(o))));
  }
  EXPECT_TRUE(doc["cases"][0]["first_failure"].is_null());
  const auto& ff = doc["cases"][2]["first_failure"];
  for (const char* key : {"trial", "seed", "outcome", "message", "at_s", "replay"})
    EXPECT_TRUE(ff.contains(key)) << key;
  // Seeds stay exact 64-bit integers, not doubles or strings.
  EXPECT_TRUE(ff["seed"].is_number_unsigned());
  EXPECT_EQ(ff["seed"].get<std::uint64_t>(), 18446744073709551557ull);
  EXPECT_EQ(doc["cases"][2]["verdict"], "unmet");
  EXPECT_EQ(doc["cases"][1]["matrix"]["variant"], "unlocked");
}

TEST(JsonReporter, ReplacesMalformedUtf8InsteadOfThrowing) {
  TempDir dir;
  auto s = sample_summary();
  s.results[2].first_failure->message = "bad \xff byte";
  const auto doc = nlohmann::json::parse(file_report("json", s, dir.path()));
  EXPECT_EQ(doc["cases"][2]["first_failure"]["message"], "bad \xEF\xBF\xBD byte");
}

TEST(JunitReporter, MatchesGolden) {
  TempDir dir;
  expect_golden("report.xml", mask_hostname(file_report("junit", sample_summary(), dir.path())));
}

TEST(HtmlReporter, MatchesGolden) {
  TempDir dir;
  expect_golden("report.html", file_report("html", sample_summary(), dir.path()));
}

TEST(JunitReporter, ValidatesAgainstSchema) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  const fs::path schema = junit_schema();
  if (!fs::exists(schema)) GTEST_SKIP() << schema << " not found; set STRAIN_JUNIT_XSD";
  TempDir dir;
  // Bytes a plugin might print: malformed UTF-8, NUL-free controls, a BOM-like
  // noncharacter. The report must stay valid XML whatever they are.
  auto s = sample_summary();
  s.results[2].first_failure->message += " \xff\xfe bad utf-8 \x1b[31m \xEF\xBF\xBF end";
  s.results[2].note = "tab\there\r\nnext";
  s.elapsed_s = 12345678.9;  // large times must not switch to exponent notation
  const fs::path out = dir.path() / "junit.xml";
  drive(*make_file_reporter("junit:" + out.string()), s);
  const fs::path log = dir.path() / "xmllint.log";
  const std::string cmd = "xmllint --noout --schema '" + schema.string() + "' '" + out.string() +
                          "' >'" + log.string() + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(log) << read_file(out);
}

TEST(JunitReporter, MissedExpectedFailureIsAFailure) {
  TempDir dir;
  auto s = sample_summary();
  s.results.resize(2);
  s.results[1].met = false;
  s.results[1].first_failure.reset();
  s.results[1].outcomes = counts({{Outcome::pass, 20000}});
  const std::string xml = file_report("junit", s, dir.path());
  EXPECT_NE(xml.find(R"(<failure type="missed" message="expected violation, observed missed">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(tests="2" failures="1")"), std::string::npos) << xml;
}

TEST(FileReporter, RejectsBadArguments) {
  const auto message = [](std::string_view arg) -> std::string {
    try {
      make_file_reporter(arg);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(message("x:y"), "unknown reporter 'x' in --report x:y (known: json, junit, html)");
  EXPECT_EQ(message("pdf"), "unknown reporter 'pdf' in --report pdf (known: json, junit, html)");
  EXPECT_EQ(message("html"), "--report html needs a path: html:PATH");
  EXPECT_EQ(message("json"), "--report json needs a path: json:PATH");
  EXPECT_EQ(message("junit:"), "--report junit needs a path: junit:PATH");
  EXPECT_EQ(file_reporter_names(), (std::vector<std::string>{"json", "junit", "html"}));
}

TEST(FileReporter, CreatesMissingDirectoryAndLeavesNoTemporaries) {
  TempDir dir;
  const fs::path nested = dir.path() / "a" / "b";
  for (const std::string name : {"json", "junit"}) {
    const fs::path out = nested / ("out." + name);
    drive(*make_file_reporter(name + ":" + out.string()), sample_summary());
    EXPECT_TRUE(fs::is_regular_file(out)) << out;
  }
  for (const auto& entry : fs::directory_iterator(nested))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
}

// Records the events it sees, tagged with its name.
class Recorder : public Reporter {
 public:
  Recorder(std::string name, std::vector<std::string>& log, bool throws = false)
      : name_(std::move(name)), log_(log), throws_(throws) {}
  void case_started(const std::string& id) override { log_.push_back(name_ + ":" + id); }
  void run_finished(const model::RunSummary&) override {
    log_.push_back(name_ + ":end");
    if (throws_) throw std::runtime_error(name_ + " failed");
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  bool throws_;
};

TEST(Fanout, ForwardsInOrderAndReachesAllDespiteAThrow) {
  std::vector<std::string> log;
  Fanout f;
  f.add(std::make_unique<Recorder>("a", log, /*throws=*/true));
  f.add(std::make_unique<Recorder>("b", log));
  f.case_started("c1");
  EXPECT_THROW(f.run_finished({}), std::runtime_error);
  EXPECT_EQ(log, (std::vector<std::string>{"a:c1", "b:c1", "a:end", "b:end"}));
}

TEST(Format, MeasuredValuesHaveFourSignificantDigits) {
  EXPECT_EQ(format_number(0.0123456), "0.01235");
  EXPECT_EQ(format_number(1.73456), "1.735");
  EXPECT_EQ(format_number(123.456), "123.5");
  EXPECT_EQ(format_number(45678.9), "45679");
  EXPECT_EQ(format_number(-2.5), "-2.500");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(8.0), "8");
  EXPECT_EQ(format_number(-3.0), "-3");
  EXPECT_EQ(format_number(7.5), "7.500");
  EXPECT_EQ(format_number(1e-12), "0.000000000");
  EXPECT_EQ(format_number(1e300).find('e'), std::string::npos);
  EXPECT_EQ(format_number(std::nan("")), "nan");
  EXPECT_EQ(format_run_seed(7, true, false), "7 (--seed)");
  EXPECT_EQ(format_run_seed(42, false, false), "42");
  EXPECT_EQ(format_run_seed(42, false, true), "each spec's own");
  EXPECT_EQ(format_measured({}), "");
  EXPECT_EQ(format_measured({{"speedup", 3, 1.5, 1.25, 2.0},
                             {"parallel_s", 2, 0.5, 0.25, 0.75},
                             {"never", 0, 0, 0, 0}}),
            "speedup 1.500 [1.250..2]  parallel_s 0.5000 [0.2500..0.7500] n=2  never -  "
            "(mean [min..max] of 3 trials)");
  EXPECT_EQ(format_measured({{"speedup", 0, 0, 0, 0}}), "speedup -  (no trial recorded them)");
}

TEST(JsonReporter, MeasuredHoldsMeanMinMaxAndCountInShowOrder) {
  TempDir dir;
  const auto doc = nlohmann::json::parse(file_report("json", sample_summary(), dir.path()));
  const auto& m = doc["cases"][0]["measured"];
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.begin().key(), "sequential_s");
  EXPECT_EQ(m["sequential_s"]["mean"], 0.0123456);
  EXPECT_EQ(m["sequential_s"]["min"], 0.0101);
  EXPECT_EQ(m["sequential_s"]["max"], 0.015);
  EXPECT_EQ(m["sequential_s"]["count"], 20000);
  EXPECT_EQ(m["speedup"]["count"], 19990);
  EXPECT_TRUE(doc["cases"][1]["measured"].empty());
}

TEST(Format, NumbersNeverUseExponents) {
  EXPECT_EQ(format_seconds(0.0125), "0.013");
  EXPECT_EQ(format_seconds(1e9), "1000000000.000");
  EXPECT_EQ(format_seconds(-1), "0.000");
  EXPECT_EQ(format_rate(412371.1), "412.4k");
  EXPECT_EQ(format_rate(999.94), "999.9");
  EXPECT_EQ(format_rate(2.5e6), "2.5M");
  EXPECT_EQ(format_seed(0x2a), "0x000000000000002a");
  EXPECT_EQ(format_counts({}), "-");
  EXPECT_EQ(printable("a\x07"
                      "b\tc\n\x1b"),
            "a\\x07b\tc\n\\x1b");
}

TEST(Format, OneLineTextKeepsNoControlCharacter) {
  // A case id in the summary table (issue 13: ESC and BEL reached the
  // terminal, CR and LF broke the table); C1 controls such as U+009B (CSI)
  // too, while other UTF-8 passes.
  EXPECT_EQ(printable_line("id\x1b[31m\a\r\n\t\xc2\x9b"
                           "2J\xc3\xa9"),
            "id\\x1b[31m\\x07\\x0d\\x0a\\x09\\u009b"
            "2J\xc3\xa9");
}

TEST(Console, CaseIdsArePrintedSanitised) {
  std::ostringstream out;
  auto console = make_console_reporter(out, {});
  model::CaseResult r;
  r.id =
      "spec/case/s=\x1b]0;pwned\a\r\n"
      "FAKE";
  r.met = true;
  console->case_finished(r);
  model::RunSummary s;
  s.results.push_back(r);
  console->run_finished(s);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find('\a'), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find('\r'), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("spec/case/s=\\x1b]0;pwned\\x07\\x0d\\x0a"
                           "FAKE"),
            std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace strain::report
