// End to end, for CI pipelines: sharding (--shard, gtest's and Kubernetes'
// variables), `strain merge`, --repeat, STRAIN_* variables, output flags and
// exit codes, the HTML report in headless Chromium, and the CI examples in
// ci/examples run as far as they can be here.

#include <gtest/gtest.h>
#include <png.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "run_strain.hpp"

namespace {

using namespace strain_test;

const std::string kPlugins = "--plugin-path " + kTestPlugins + " ";
const std::string kShardSpec = "tests/integration/specs/shard.yaml";

// The selection of shard.yaml, in order (what `strain list` prints).
std::vector<std::string> shard_spec_ids() {
  const Result r = run_strain(kPlugins + "list --ids " + kShardSpec);
  std::vector<std::string> ids;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) ids.push_back(line);
  return ids;
}

std::vector<std::string> ids_of(const nlohmann::json& report) {
  std::vector<std::string> ids;
  for (const auto& c : report["cases"]) ids.push_back(c["id"]);
  return ids;
}

// (id, expected, verdict) of every case, in report order.
std::vector<std::string> verdicts_of(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& c : report["cases"])
    out.push_back(c["id"].get<std::string>() + " expected " + c["expected"].get<std::string>() +
                  " " + c["verdict"].get<std::string>());
  return out;
}

TEST(Shard, FlagRunsTheCasesOfItsIndexModuloTheTotal) {
  const auto all = shard_spec_ids();
  ASSERT_EQ(all.size(), 7u);
  const std::string json = kWork + "/shard_flag.json";
  const Result r =
      run_strain(kPlugins + "run " + kShardSpec + " --shard 1/3 --report json:" + json);
  EXPECT_LE(r.code, 1) << r.err;
  const auto report = read_json(json);
  EXPECT_EQ(ids_of(report), (std::vector<std::string>{all[1], all[4]}));
  EXPECT_EQ(report["selection"]["shard"]["index"], 1);
  EXPECT_EQ(report["selection"]["shard"]["total"], 3);
  EXPECT_EQ(report["selection"]["cases"], 7);
  EXPECT_NE(r.out.find("shard 1/3 of 7 selected"), std::string::npos) << r.out;
}

TEST(Shard, GtestVariablesShardAsGoogletestDoes) {
  const auto all = shard_spec_ids();
  const std::string json = kWork + "/shard_gtest.json", status = kWork + "/shard_status";
  fs::remove(status);
  const Result r =
      run_strain(kPlugins + "run " + kShardSpec + " --report json:" + json,
                 "GTEST_SHARD_INDEX=2 GTEST_TOTAL_SHARDS=3 GTEST_SHARD_STATUS_FILE=" + status);
  EXPECT_LE(r.code, 1) << r.err;
  EXPECT_EQ(ids_of(read_json(json)), (std::vector<std::string>{all[2], all[5]}));
  EXPECT_TRUE(fs::exists(status)) << "Bazel is told that strain shards";
}

TEST(Shard, KubernetesCompletionIndexWithShards) {
  const auto all = shard_spec_ids();
  const std::string json = kWork + "/shard_k8s.json";
  const Result r = run_strain(kPlugins + "run " + kShardSpec + " --shards 3 --report json:" + json,
                              "JOB_COMPLETION_INDEX=0");
  EXPECT_LE(r.code, 1) << r.err;
  EXPECT_EQ(ids_of(read_json(json)), (std::vector<std::string>{all[0], all[3], all[6]}));
}

TEST(Shard, AnEmptyShardRunsNothingAndSucceeds) {
  const std::string json = kWork + "/shard_empty.json";
  const Result r = run_strain(kPlugins +
                              "run tests/integration/specs/trivial_met.yaml --shard 4/5 "
                              "--report json:" +
                              json);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("shard 4/5 has no case"), std::string::npos) << r.err;
  EXPECT_TRUE(read_json(json)["cases"].empty());
}

TEST(Shard, BadRequestsAreUsageErrors) {
  const std::string run = kPlugins + "run " + kShardSpec;
  const Result past = run_strain(run + " --shard 3/3");
  EXPECT_EQ(past.code, 2);
  EXPECT_NE(past.err.find("shard index 3 is not below the number of shards 3"), std::string::npos)
      << past.err;
  EXPECT_EQ(run_strain(run + " --shard one/3").code, 2);
  EXPECT_EQ(run_strain(run + " --shard 0/3 --shards 3", "JOB_COMPLETION_INDEX=0").code, 2);
  const Result no_index = run_strain(run + " --shards 3");
  EXPECT_EQ(no_index.code, 2);
  EXPECT_NE(no_index.err.find("JOB_COMPLETION_INDEX"), std::string::npos) << no_index.err;
  const Result half = run_strain(run, "GTEST_SHARD_INDEX=0");
  EXPECT_EQ(half.code, 2);
  EXPECT_NE(half.err.find("$GTEST_TOTAL_SHARDS is not"), std::string::npos) << half.err;
}

// Runs shard.yaml as `shards` shards, each by another mechanism, and returns
// the report paths.
std::vector<std::string> run_three_shards(const std::string& tag, const std::string& extra = "") {
  const std::string base = kWork + "/" + tag;
  const std::vector<std::string> paths = {base + "-0.json", base + "-1.json", base + "-2.json"};
  const std::string run = kPlugins + "run " + kShardSpec + " --quiet " + extra + " --report json:";
  EXPECT_LE(run_strain(run + paths[0] + " --shard 0/3").code, 1);
  EXPECT_LE(run_strain(run + paths[1], "GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3").code, 1);
  EXPECT_LE(run_strain(run + paths[2] + " --shards 3", "JOB_COMPLETION_INDEX=2").code, 1);
  return paths;
}

TEST(Merge, ThreeShardsGiveTheCasesAndVerdictsOfOneRun) {
  const std::string whole = kWork + "/merge_whole.json";
  const Result one = run_strain(kPlugins + "run " + kShardSpec + " --quiet --report json:" + whole);
  ASSERT_EQ(one.code, 1) << "shard.yaml has one unmet case";
  const auto shards = run_three_shards("merge");
  const std::string merged = kWork + "/merged.json", xml = kWork + "/merged.xml",
                    html = kWork + "/merged.html";
  // Given in another order than their indices: the merge orders the cases.
  const Result m =
      run_strain("merge " + shards[2] + " " + shards[0] + " " + shards[1] +
                 " --report json:" + merged + " --report junit:" + xml + " --report html:" + html);
  EXPECT_EQ(m.code, one.code) << m.out << m.err;
  EXPECT_NE(m.out.find("Merged 7 cases (build: "), std::string::npos) << m.out;
  const auto a = read_json(whole), b = read_json(merged);
  EXPECT_EQ(verdicts_of(b), verdicts_of(a));
  EXPECT_EQ(b["seed"], a["seed"]);
  EXPECT_EQ(b["summary"], a["summary"]);
  EXPECT_EQ(b["specs"], a["specs"]);
  EXPECT_TRUE(b["selection"]["shard"].is_null());
  for (std::size_t k = 0; k < a["cases"].size(); ++k)
    EXPECT_EQ(b["cases"][k]["outcomes"], a["cases"][k]["outcomes"]) << a["cases"][k]["id"];
  if (has_xmllint()) {
    EXPECT_EQ(
        std::system(
            ("xmllint --noout --schema " STRAIN_JUNIT_XSD " " + xml + " 2>/dev/null").c_str()),
        0);
  }
  const std::string page = read_text(html);
  for (const auto& id : ids_of(a))
    EXPECT_NE(page.find("data-case-id=\"" + id + "\""), std::string::npos) << id;
}

TEST(Merge, RefusesReportsOfDifferentRuns) {
  const auto shards = run_three_shards("refuse");
  const std::string other_seed = kWork + "/refuse-seed.json";
  run_strain(kPlugins + "run " + kShardSpec +
             " --quiet --seed 99 --shard 1/3 --report json:" + other_seed);
  const Result seed = run_strain("merge " + shards[0] + " " + other_seed + " " + shards[2]);
  EXPECT_EQ(seed.code, 2);
  EXPECT_NE(seed.err.find("not from the same run: the seed differs (11 vs 99)"), std::string::npos)
      << seed.err;

  // The same spec name with other contents, as when shards check out
  // different commits.
  const std::string changed_dir = kWork + "/changed";
  fs::create_directories(changed_dir);
  std::ofstream(changed_dir + "/shard.yaml") << read_text(kSrc + "/" + kShardSpec) << "# edited\n";
  const std::string other_spec = kWork + "/refuse-spec.json";
  run_strain(kPlugins + "run " + changed_dir +
             "/shard.yaml --quiet --shard 1/3 --report json:" + other_spec);
  const Result spec = run_strain("merge " + shards[0] + " " + other_spec + " " + shards[2]);
  EXPECT_EQ(spec.code, 2);
  EXPECT_NE(spec.err.find("spec 'shard' differs between"), std::string::npos) << spec.err;

  const Result missing = run_strain("merge " + shards[0] + " " + shards[2]);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("shard 1 of 3 is missing"), std::string::npos) << missing.err;
  const Result twice = run_strain("merge " + shards[0] + " " + shards[1] + " " + shards[1]);
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("shard 1/3 is given twice"), std::string::npos) << twice.err;
  const Result junk = run_strain("merge " + kSrc + "/" + kShardSpec);
  EXPECT_EQ(junk.code, 2);
  EXPECT_NE(junk.err.find("not valid JSON"), std::string::npos) << junk.err;
}

TEST(Run, RepeatRunsTheSelectionNTimes) {
  const std::string json = kWork + "/repeat.json", xml = kWork + "/repeat.xml";
  const Result r = run_strain(kPlugins +
                              "run tests/integration/specs/trivial_met.yaml --repeat 3 "
                              "--report json:" +
                              json + " --report junit:" + xml);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 6u);
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(report["cases"][k]["repetition"], k / 2);
    EXPECT_EQ(report["cases"][k]["verdict"], "met");
  }
  EXPECT_EQ(report["selection"]["repeat"], 3);
  EXPECT_NE(r.out.find("trivial_met/finds (repeat 3/3)"), std::string::npos) << r.out;
  EXPECT_NE(read_text(xml).find(R"x(<testcase name="trivial_met/pass (repeat 2/3)")x"),
            std::string::npos);
}

TEST(Run, CaseSelectsExactIds) {
  const std::string json = kWork + "/case.json";
  const Result r =
      run_strain(kPlugins + "run " + kShardSpec +
                 " --case shard/unmet --case shard/pass/points=2 --report json:" + json);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(ids_of(read_json(json)),
            (std::vector<std::string>{"shard/pass/points=2", "shard/unmet"}));
  EXPECT_EQ(run_strain(kPlugins + "run " + kShardSpec + " --case shard/nope").code, 2);
}

TEST(Run, EnvironmentVariablesSetEveryRunFlag) {
  const std::string json = kWork + "/env.json";
  const Result r =
      run_strain(kPlugins + "run " + kShardSpec,
                 "STRAIN_SEED=9 STRAIN_FILTER='*finds*-*points=1' STRAIN_QUIET=1 "
                 "STRAIN_REPEAT=2 STRAIN_KEEP_GOING=1 STRAIN_SHARD=0/2 STRAIN_COLOR=never "
                 "STRAIN_REPORT=json:" +
                     json);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto report = read_json(json);
  EXPECT_EQ(report["seed"], 9);
  EXPECT_TRUE(report["seed_overridden"]);
  EXPECT_EQ(report["selection"]["filter"], "*finds*-*points=1");
  EXPECT_EQ(report["selection"]["repeat"], 2);
  EXPECT_EQ(report["selection"]["shard"]["total"], 2);
  // finds/points=0 and finds/points=2 selected; shard 0 of 2 keeps the first.
  ASSERT_EQ(report["cases"].size(), 2u);
  EXPECT_EQ(report["cases"][0]["id"], "shard/finds/points=0");
  // --keep-going: every trial counted, 50 trials with every 7th failing.
  EXPECT_EQ(report["cases"][0]["outcomes"]["violation"], 7);
  EXPECT_EQ(r.out.find("[ MET ]"), std::string::npos) << "quiet: summary only\n" << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "never colour";
  // The command line wins over the environment.
  const Result flag = run_strain(kPlugins +
                                     "run tests/integration/specs/trivial_met.yaml --seed 3 "
                                     "--report json:" +
                                     json,
                                 "STRAIN_SEED=9");
  EXPECT_EQ(read_json(json)["seed"], 3) << flag.err;
  const Result bad = run_strain(kPlugins + "run " + kShardSpec, "STRAIN_REPEAT=zero");
  EXPECT_EQ(bad.code, 2);
}

// Numbers are whole decimal numbers; anything else is refused, exit 2, with
// a message that names the flag, the rule and the value.
TEST(Run, BadNumbersAreRefusedWithTheRuleAndTheValue) {
  const auto refused = [](const std::string& args, const std::string& env, const char* message) {
    const Result r = run_strain(kPlugins + "run " + kShardSpec + " " + args, env);
    EXPECT_EQ(r.code, 2) << args << env;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << env << "\n" << r.err;
  };
  refused("--repeat 0", "", "--repeat: must be a whole number >= 1, got '0'");
  refused("--repeat=-1", "", "--repeat: must be a whole number >= 1, got '-1'");
  refused("--repeat 1.5", "", "--repeat: must be a whole number >= 1, got '1.5'");
  refused("", "STRAIN_REPEAT=abc", "--repeat: must be a whole number >= 1, got 'abc'");
  refused("--shards 0", "", "--shards: must be a whole number >= 1, got '0'");
  // A negative seed would otherwise wrap to 2^64 - 5 and be printed as the seed.
  refused("--seed=-5", "", "--seed: must be a whole number >= 0, got '-5'");
  refused("--seed 18446744073709551616", "",
          "--seed: must be a whole number >= 0 below 2^64, got '18446744073709551616'");
  EXPECT_EQ(run_strain(kPlugins + "replay shard/unmet --seed 1 --trial 0 --spec " + kShardSpec +
                       " --repeat 0")
                .code,
            2);
}

// Every flag of every command has its STRAIN_* variable, and --help says
// which: an option's entry in the help (its line and description) names it.
TEST(Cli, EveryFlagOfEveryCommandNamesItsEnvironmentVariable) {
  for (const std::string command :
       {"", "run", "replay", "list", "validate", "plugins", "merge", "new"}) {
    const Result r = run_strain(command + " --help");
    ASSERT_EQ(r.code, 0) << command;
    std::istringstream in(r.out);
    std::string entry, line;
    std::vector<std::string> entries;
    bool options = false;
    // An entry starts at "  -" and runs on over its indented description;
    // a blank line or a heading (Options:, Subcommands:, the footer) ends it.
    while (std::getline(in, line)) {
      const auto text = line.find_first_not_of(' ');
      const bool starts = text == 2 && line.compare(2, 1, "-") == 0;
      if (starts || text == std::string::npos || text == 0) {
        if (!entry.empty()) entries.push_back(entry);
        entry = starts && options ? line : "";
        if (text == 0) options = line == "Options:";
      } else if (!entry.empty()) {
        entry += line;
      }
    }
    if (!entry.empty()) entries.push_back(entry);
    ASSERT_FALSE(entries.empty()) << command << "\n" << r.out;
    for (const auto& e : entries) {
      if (e.starts_with("  -h,--help") || e.starts_with("  --version")) continue;
      EXPECT_NE(e.find("Env:STRAIN_"), std::string::npos) << "strain " << command << ": " << e;
    }
  }
}

TEST(Run, SeedIsPrintedAndInEveryReport) {
  const std::string json = kWork + "/seed.json", xml = kWork + "/seed.xml",
                    html = kWork + "/seed.html";
  const Result r = run_strain(kPlugins +
                              "run tests/integration/specs/trivial_met.yaml --seed 4242 "
                              "--report json:" +
                              json + " --report junit:" + xml + " --report html:" + html);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("seed: 4242"), std::string::npos) << r.out;
  EXPECT_EQ(read_json(json)["seed"], 4242);
  EXPECT_NE(read_text(xml).find(R"(<property name="seed" value="4242"/>)"), std::string::npos);
  EXPECT_NE(read_text(html).find("<dd>4242 (--seed)</dd>"), std::string::npos);
}

TEST(Run, ColorAlwaysPaintsVerdicts) {
  const Result r =
      run_strain(kPlugins + "run tests/integration/specs/trivial_met.yaml --color always");
  EXPECT_NE(r.out.find("\033[32m[ MET ]"), std::string::npos) << r.out;
  EXPECT_EQ(run_strain(kPlugins + "run tests/integration/specs/trivial_met.yaml --color pink").code,
            2);
}

TEST(Run, VerboseShowsSettingsDebugCommandMetricsAndOutput) {
  const Result r = run_strain(kPlugins + "run tests/integration/specs/trivial_met.yaml --verbose");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("params: fail_every=3 points=0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("schedule: topology=threads roles: left=1 right=1 trials=100"),
            std::string::npos)
      << r.out;
  // Complete, to paste as it is: gdb --args, this strain and its plugin
  // path, the spec's absolute path (printed_commands_test pastes it).
  EXPECT_NE(
      r.out.find("in a debugger: gdb --args " + fs::canonical(kBin).string() + " --plugin-path " +
                 kTestPlugins + " run " + kSrc +
                 "/tests/integration/specs/trivial_met.yaml --case trivial_met/finds --seed 5 "
                 "--in-process"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("metrics: sum=3"), std::string::npos) << r.out;
  EXPECT_EQ(
      run_strain(kPlugins + "run tests/integration/specs/trivial_met.yaml --verbose --quiet").code,
      2);
  const Result out = run_strain("--plugin-path " + kTestPlugins +
                                " run tests/integration/specs/faults.yaml --case faults/flood "
                                "--verbose");
  EXPECT_NE(out.out.find("plugin output ("), std::string::npos) << out.out.substr(0, 2000);
}

// The exit code table is one table in code (cli/exit_codes.hpp) that
// `strain --help` prints; the docs must list the same codes and meanings.
TEST(ExitCodes, EachCodeHappensAndIsDocumented) {
  EXPECT_EQ(run_strain(kPlugins + "run tests/integration/specs/trivial_met.yaml").code,
            strain::cli::kExitMet);
  EXPECT_EQ(run_strain(kPlugins + "run tests/integration/specs/trivial_unmet.yaml").code,
            strain::cli::kExitUnmet);
  EXPECT_EQ(run_strain("run --no-such-flag").code, strain::cli::kExitUsage);
  const Result interrupted = shell(kBin + " --plugin-path " + kTestPlugins +
                                   " run tests/integration/specs/interrupt.yaml >/dev/null & "
                                   "pid=$!; sleep 2; kill -INT $pid; wait $pid; echo rc=$?");
  EXPECT_NE(interrupted.out.find("rc=" + std::to_string(strain::cli::kExitInterrupted)),
            std::string::npos)
      << interrupted.out;
  const Result help = run_strain("--help");
  for (const std::string doc : {"docs/cli.md", "README.md"}) {
    const std::string text = read_text(kSrc + "/" + doc);
    for (const auto& e : strain::cli::kExitCodes) {
      const std::string row = "| " + std::to_string(e.code) + " | " + std::string(e.meaning) + " |";
      EXPECT_NE(text.find(row), std::string::npos) << doc << " lacks the row\n" << row;
      EXPECT_NE(help.out.find(std::string(e.meaning)), std::string::npos);
    }
  }
}

// A screenshot decoded to RGBA; empty when it is not a readable PNG.
std::vector<std::uint8_t> decode_png(const std::string& path, std::uint32_t& width,
                                     std::uint32_t& height) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) return {};
  image.format = PNG_FORMAT_RGBA;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) return {};
  width = image.width;
  height = image.height;
  return pixels;
}

std::string chromium(const std::string& args) {
  const std::string profile = kWork + "/chromium-profile";
  fs::remove_all(profile);
  fs::create_directories(profile);
  // Without the background-networking flags Chromium tries connections this
  // machine's closed network refuses; the profile is new and empty each time.
  const Result r = shell(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      profile + " " + args);
  return r.out;
}

TEST(Html, RendersInHeadlessChromiumWithEveryCase) {
  ASSERT_EQ(std::system("command -v chromium >/dev/null 2>&1"), 0)
      << "chromium is missing: ci/setup installs it";
  const std::string html = kWork + "/render.html", png = kWork + "/render.png";
  const Result r = run_strain(kPlugins + "run " + kShardSpec + " --quiet --report html:" + html);
  ASSERT_EQ(r.code, 1) << r.err;
  const std::string page = read_text(html);
  EXPECT_EQ(page.find("<script"), std::string::npos) << "readable with no JavaScript";
  EXPECT_EQ(std::regex_search(page, std::regex(R"((src|href)="(https?:)?//)")), false)
      << "self-contained: nothing fetched";
  fs::remove(png);
  chromium("--window-size=1200,1600 --screenshot=" + png + " file://" + html);
  std::uint32_t w = 0, h = 0;
  const auto pixels = decode_png(png, w, h);
  ASSERT_FALSE(pixels.empty()) << "no screenshot at " << png;
  EXPECT_EQ(w, 1200u);
  std::set<std::uint32_t> colours;
  for (std::size_t k = 0; k + 3 < pixels.size() && colours.size() < 16; k += 4 * 97)
    colours.insert(pixels[k] << 16 | pixels[k + 1] << 8 | pixels[k + 2]);
  EXPECT_GT(colours.size(), 3u) << "the screenshot is blank";

  const std::string dom = chromium("--dump-dom file://" + html);
  for (const auto& id : shard_spec_ids())
    EXPECT_NE(dom.find("data-case-id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_NE(dom.find("7 cases: 6 met, 1 unmet"), std::string::npos);
  EXPECT_NE(dom.find("<svg class=\"histogram\""), std::string::npos);
  EXPECT_NE(dom.find("replay shard/unmet --seed 11 --trial 9 --spec " + kSrc + "/" + kShardSpec),
            std::string::npos);
  EXPECT_NE(dom.find("asked to fail this trial"), std::string::npos);
  // The summary table lists the unmet case first, wherever its spec has it.
  const std::size_t summary = dom.find("id=\"summary\"");
  ASSERT_NE(summary, std::string::npos);
  const std::size_t first_badge = dom.find("<span class=\"badge ", summary);
  EXPECT_EQ(dom.substr(first_badge, 25), "<span class=\"badge unmet\"")
      << dom.substr(first_badge, 200);
}

}  // namespace
