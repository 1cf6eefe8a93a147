// Reading JSON reports back, merging the reports of shards, and the HTML
// page built from them.

#include "report/merge.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.hpp"
#include "report/json_read.hpp"
#include "report/reporter.hpp"

namespace strain::report {
namespace {

namespace fs = std::filesystem;
using model::Outcome;

// Seven cases, the run's selection, as one unsharded run reports them.
model::RunSummary whole_run() {
  model::RunSummary s;
  s.build = "plain";
  s.seed = 11;
  s.timestamp = "2024-05-01T12:00:00Z";
  s.elapsed_s = 3.0;
  s.specs = {{"shard", "specs/shard.yaml", "fnv1a64:0123456789abcdef"}};
  s.selection.cases = 7;
  for (std::uint64_t k = 0; k < 7; ++k) {
    model::CaseResult r;
    r.id = "shard/case" + std::to_string(k);
    r.spec_name = "shard";
    r.spec_path = "specs/shard.yaml";
    r.case_name = "case" + std::to_string(k);
    r.plugin = "trivial";
    r.expected = k % 3 == 1 ? Outcome::violation : Outcome::pass;
    r.met = k != 6;
    r.trials = 10 + k;
    r.elapsed_s = 0.5;
    r.outcomes[0] = r.trials - (r.expected == Outcome::violation ? 1 : 0);
    if (r.expected == Outcome::violation) {
      r.outcomes[static_cast<std::size_t>(Outcome::violation)] = 1;
      r.first_failure = model::TrialFailure{r.trials - 1,
                                            77,
                                            Outcome::violation,
                                            "invariant 'sum == 3' does not hold: sum=<2>",
                                            0.25,
                                            "strain replay " + r.id + " --seed 11 --trial 9"};
    }
    r.stopped_by = r.first_failure ? model::StopReason::failure : model::StopReason::trials;
    r.metrics = {{"sum", 3}};
    r.index = k;
    s.results.push_back(r);
  }
  return s;
}

model::RunSummary shard_of(const model::RunSummary& whole, std::uint64_t index,
                           std::uint64_t total) {
  model::RunSummary s = whole;
  s.results.clear();
  s.selection.shard = model::Shard{index, total};
  for (const auto& r : whole.results)
    if (r.index % total == index) s.results.push_back(r);
  return s;
}

// Writes `s` with the JSON reporter and reads it back.
model::RunSummary round_trip(const model::RunSummary& s, std::string* text = nullptr) {
  const fs::path path =
      fs::temp_directory_path() / ("strain_merge_test_" + std::to_string(::getpid()) + ".json");
  make_file_reporter("json:" + path.string())->run_finished(s);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  fs::remove(path);
  if (text != nullptr) *text = ss.str();
  return parse_json_report(ss.str(), path.string());
}

std::vector<ReportFile> three_shards(const model::RunSummary& whole) {
  return {{"b.json", round_trip(shard_of(whole, 1, 3))},
          {"a.json", round_trip(shard_of(whole, 0, 3))},
          {"c.json", round_trip(shard_of(whole, 2, 3))}};
}

std::string refusal(const std::vector<ReportFile>& inputs) {
  try {
    merge_reports(inputs);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(merged)";
}

TEST(JsonRead, RoundTripKeepsEveryField) {
  const model::RunSummary s = whole_run();
  const model::RunSummary back = round_trip(s);
  EXPECT_EQ(back.build, s.build);
  EXPECT_EQ(back.seed, s.seed);
  EXPECT_EQ(back.strain_version, STRAIN_VERSION);
  ASSERT_EQ(back.specs.size(), 1u);
  EXPECT_EQ(back.specs[0].hash, s.specs[0].hash);
  EXPECT_EQ(back.selection.cases, 7u);
  ASSERT_EQ(back.results.size(), s.results.size());
  for (std::size_t k = 0; k < s.results.size(); ++k) {
    const auto &a = s.results[k], &b = back.results[k];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.met, a.met);
    EXPECT_EQ(b.expected, a.expected);
    EXPECT_EQ(b.trials, a.trials);
    EXPECT_EQ(b.outcomes, a.outcomes);
    EXPECT_EQ(b.index, a.index);
    EXPECT_EQ(b.metrics, a.metrics);
    EXPECT_EQ(b.first_failure.has_value(), a.first_failure.has_value());
    if (a.first_failure) {
      EXPECT_EQ(b.first_failure->replay, a.first_failure->replay);
    }
  }
}

// The parsed TSan report goes through JSON whole: `strain merge` of shard
// reports keeps each access with its frames, the location, mutexes, threads.
TEST(JsonRead, SanitizerReportsKeepTheParsedReport) {
  model::RunSummary s = whole_run();
  model::SanitizerReport rep{"data race", "race",  "data race | f a.cpp:3 | g b.cpp:4",
                             7,           "brief", "WARNING: ThreadSanitizer: data race"};
  rep.accesses = {{"write", 4, "0x7b0c00000010", "T1", {"write M0"}, {{"f()", "/src/a.cpp", 3}}},
                  {"read", 4, "", "main thread", {}, {{"g()", "/src/b.cpp", 4}, {"", "", 0}}},
                  {"lock", 0, "", "T2", {"M1"}, {}}};
  rep.location = "Location is global 'x' of size 4 at 0x1 (a.so+0x2)";
  rep.mutexes = {"Mutex M0 (0x3) created at: main /src/a.cpp:9"};
  rep.threads = {"Thread T1 (tid=5, running) created by main thread at"};
  s.results[2].sanitizer_reports = {rep};
  std::string text;
  const model::RunSummary back = round_trip(s, &text);
  EXPECT_NE(text.find("\"accesses\""), std::string::npos);
  ASSERT_EQ(back.results[2].sanitizer_reports.size(), 1u);
  const model::SanitizerReport& b = back.results[2].sanitizer_reports[0];
  EXPECT_EQ(b.kind, rep.kind);
  EXPECT_EQ(b.signature, rep.signature);
  EXPECT_EQ(b.count, 7);
  EXPECT_EQ(b.brief, rep.brief);
  EXPECT_EQ(b.text, rep.text);
  EXPECT_EQ(b.location, rep.location);
  EXPECT_EQ(b.mutexes, rep.mutexes);
  EXPECT_EQ(b.threads, rep.threads);
  ASSERT_EQ(b.accesses.size(), rep.accesses.size());
  for (std::size_t k = 0; k < rep.accesses.size(); ++k) {
    const auto &want = rep.accesses[k], &got = b.accesses[k];
    EXPECT_EQ(got.op, want.op) << k;
    EXPECT_EQ(got.size, want.size) << k;
    EXPECT_EQ(got.address, want.address) << k;
    EXPECT_EQ(got.thread, want.thread) << k;
    EXPECT_EQ(got.mutexes_held, want.mutexes_held) << k;
    ASSERT_EQ(got.frames.size(), want.frames.size()) << k;
    for (std::size_t i = 0; i < want.frames.size(); ++i) {
      EXPECT_EQ(got.frames[i].function, want.frames[i].function);
      EXPECT_EQ(got.frames[i].file, want.frames[i].file);
      EXPECT_EQ(got.frames[i].line, want.frames[i].line);
    }
  }
  // Written again, the report is the same text: nothing was lost or added.
  std::string again;
  round_trip(back, &again);
  EXPECT_EQ(again, text);
}

TEST(JsonRead, KeepsUnknownCaseFieldsAndWritesThemBack) {
  std::string text;
  round_trip(whole_run(), &text);
  auto doc = nlohmann::json::parse(text);
  doc["cases"][0]["from_a_newer_strain"] = {{"speedup", {{"mean", 1.5}}}};
  const model::RunSummary back = parse_json_report(doc.dump(), "newer.json");
  ASSERT_EQ(back.results[0].extra_fields.size(), 1u);
  EXPECT_EQ(back.results[0].extra_fields[0].first, "from_a_newer_strain");
  std::string again;
  round_trip(back, &again);
  EXPECT_EQ(nlohmann::json::parse(again)["cases"][0]["from_a_newer_strain"]["speedup"]["mean"],
            1.5);
}

TEST(JsonRead, ReadsTheShownMetricsBack) {
  std::string text;
  round_trip(whole_run(), &text);
  auto doc = nlohmann::json::parse(text);
  doc["cases"][0]["measured"] = {
      {"speedup", {{"mean", 1.5}, {"min", 1.25}, {"max", 1.75}, {"count", 8}}}};
  const model::RunSummary back = parse_json_report(doc.dump(), "shown.json");
  ASSERT_EQ(back.results[0].measured.size(), 1u);
  const model::Measured& m = back.results[0].measured[0];
  EXPECT_EQ(m.name, "speedup");
  EXPECT_EQ(m.count, 8u);
  EXPECT_EQ(m.mean, 1.5);
  EXPECT_EQ(m.min, 1.25);
  EXPECT_EQ(m.max, 1.75);
  EXPECT_TRUE(back.results[0].extra_fields.empty());
  std::string again;
  round_trip(back, &again);
  EXPECT_EQ(nlohmann::json::parse(again)["cases"][0]["measured"], doc["cases"][0]["measured"]);
}

TEST(JsonRead, MalformedReportsNameTheFileAndField) {
  const auto message = [](const std::string& text) {
    try {
      parse_json_report(text, "r.json");
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(read)");
  };
  EXPECT_EQ(message("{"), "r.json: not valid JSON");
  EXPECT_EQ(message("[]"), "r.json: top level: not a JSON object (is this a strain JSON report?)");
  EXPECT_EQ(message(R"({"format": 2})"),
            "r.json: top level: report format 2 is not one this strain reads (1)");
  EXPECT_EQ(message(R"({"format": 1, "strain_version": "0", "build": "plain", "seed": 1,
                        "cases": [{"id": "s/c", "spec": "s", "expected": "maybe"}]})"),
            "r.json: case 's/c': unknown outcome 'maybe' in 'expected'");
  // Integers out of their field's range: 5.5e51 as a count was undefined
  // behaviour in the conversion (found by json_report_fuzz), -1 a wrap.
  EXPECT_EQ(message(R"({"format": 1, "strain_version": "0", "build": "plain", "seed": 5.5e51})"),
            "r.json: top level: field 'seed' must be an integer in [0, 18446744073709551615], got "
            "5.5e+51");
  EXPECT_EQ(message(R"({"format": 1, "strain_version": "0", "build": "plain", "seed": -1})"),
            "r.json: top level: field 'seed' must be an integer in [0, 18446744073709551615], got "
            "-1");
  EXPECT_EQ(message(R"({"format": 1.5})"),
            "r.json: top level: field 'format' must be an integer in [-2147483648, 2147483647], "
            "got 1.5");
}

TEST(Merge, ShardsMergeIntoTheWholeRunInItsOrder) {
  const model::RunSummary whole = whole_run();
  const model::RunSummary merged = merge_reports(three_shards(whole));
  ASSERT_EQ(merged.results.size(), whole.results.size());
  for (std::size_t k = 0; k < whole.results.size(); ++k) {
    EXPECT_EQ(merged.results[k].id, whole.results[k].id);
    EXPECT_EQ(merged.results[k].met, whole.results[k].met);
  }
  EXPECT_FALSE(merged.selection.shard.has_value());
  EXPECT_EQ(merged.all_met(), whole.all_met());
}

TEST(Merge, RefusesInconsistentInputs) {
  const model::RunSummary whole = whole_run();
  auto in = three_shards(whole);
  in[1].summary.seed = 12;
  EXPECT_EQ(refusal(in),
            "cannot merge: b.json and a.json are not from the same run: the seed differs (11 vs "
            "12)");
  in = three_shards(whole);
  in[2].summary.build = "tsan";
  EXPECT_NE(refusal(in).find("the build differs (plain vs tsan)"), std::string::npos);
  in = three_shards(whole);
  in[2].summary.specs[0].hash = "fnv1a64:ffffffffffffffff";
  EXPECT_NE(refusal(in).find("spec 'shard' differs between b.json"), std::string::npos);
  in = three_shards(whole);
  in[2].summary.specs.push_back({"other", "specs/other.yaml", "fnv1a64:1"});
  EXPECT_EQ(refusal(in), "cannot merge: spec 'other' was run by c.json but not by b.json");
  in = three_shards(whole);
  in[0].summary.selection.filter = "*x*";
  EXPECT_NE(refusal(in).find("the filter differs ('*x*' vs '')"), std::string::npos);
  in = three_shards(whole);
  in.pop_back();
  EXPECT_EQ(refusal(in), "cannot merge: shard 2 of 3 is missing");
  in = three_shards(whole);
  in.push_back(in[0]);
  EXPECT_EQ(refusal(in), "cannot merge: shard 1/3 is given twice: b.json and b.json");
  in = three_shards(whole);
  in[2].summary.results.pop_back();
  EXPECT_NE(refusal(in).find("hold 6 case results but the run selected 7 cases"),
            std::string::npos);
  const std::vector<ReportFile> two_totals = {{"a.json", round_trip(shard_of(whole, 0, 2))},
                                              {"b.json", round_trip(shard_of(whole, 1, 3))}};
  EXPECT_NE(refusal(two_totals).find("different numbers of shards"), std::string::npos);
  const std::vector<ReportFile> same_run_twice = {{"a.json", round_trip(whole)},
                                                  {"b.json", round_trip(whole)}};
  EXPECT_EQ(refusal(same_run_twice),
            "cannot merge: case 'shard/case0' is in both a.json and b.json");
  EXPECT_EQ(refusal({}), "cannot merge: no reports given");
}

TEST(Html, SelfContainedEscapedAndShowsEveryCase) {
  model::RunSummary s = whole_run();
  s.results[1].extra_fields = {{"measured", R"({"speedup": 1.5})"}};
  s.results[1].sanitizer_reports = {
      {"data race", "race", "sig", 2, "Write at <a> by thread T1", "WARNING: ThreadSanitizer"}};
  const fs::path path =
      fs::temp_directory_path() / ("strain_html_test_" + std::to_string(::getpid()) + ".html");
  make_file_reporter("html:" + path.string())->run_finished(s);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  fs::remove(path);
  const std::string page = ss.str();
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"))
      << "the only URL is the SVG namespace";
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.find("7 cases: 6 met, 1 unmet"), std::string::npos);
  for (const auto& r : s.results)
    EXPECT_NE(page.find("data-case-id=\"" + r.id + "\""), std::string::npos) << r.id;
  // The unmet case comes first among the case sections.
  EXPECT_LT(page.find("data-case-id=\"shard/case6\""), page.find("data-case-id=\"shard/case0\""));
  EXPECT_NE(page.find("sum=&lt;2&gt;"), std::string::npos) << "messages are escaped";
  EXPECT_NE(page.find("ThreadSanitizer: data race (2 times, outcome race)"), std::string::npos);
  EXPECT_NE(page.find("Write at &lt;a&gt; by thread T1"), std::string::npos);
  EXPECT_NE(page.find("<summary>measured</summary>"), std::string::npos);
  EXPECT_NE(page.find("strain replay shard/case1 --seed 11 --trial 9"), std::string::npos);
  EXPECT_NE(page.find("<title>Outcomes of 11 trials (log scale)</title>"), std::string::npos);
}

}  // namespace
}  // namespace strain::report
