// The model layer: a case's verdict, the seeds every trial derives from,
// and the run plan a worker is handed as JSON.

#include <gtest/gtest.h>

#include "model/run_plan.hpp"
#include "model/seed.hpp"
#include "model/verdict.hpp"

namespace strain::model {
namespace {

// `expect: fail` (any failure outcome) in the verdict: met by any failure,
// unmet by none.
CaseResult observed(Outcome expected, Outcome seen, std::uint64_t n) {
  CaseResult r;
  r.expected = expected;
  r.trials = 10;
  r.outcomes[static_cast<std::size_t>(Outcome::pass)] = 10 - n;
  r.outcomes[static_cast<std::size_t>(seen)] += n;
  r.stopped_by = n > 0 ? StopReason::failure : StopReason::trials;
  return r;
}

TEST(Verdict, FailIsMetByAnyFailureAndUnmetByNone) {
  for (Outcome seen : {Outcome::violation, Outcome::race, Outcome::deadlock, Outcome::hang,
                       Outcome::crash, Outcome::error})
    EXPECT_TRUE(verdict(observed(Outcome::fail, seen, 1))) << to_string(seen);
  EXPECT_FALSE(verdict(observed(Outcome::fail, Outcome::pass, 0)));
  // A named outcome is still met by that outcome only.
  EXPECT_TRUE(verdict(observed(Outcome::deadlock, Outcome::deadlock, 1)));
  EXPECT_FALSE(verdict(observed(Outcome::deadlock, Outcome::hang, 1)));
  EXPECT_EQ(expectation_from_string("fail"), Outcome::fail);
  EXPECT_EQ(outcome_from_string("fail"), std::nullopt) << "no trial's outcome";
}

}  // namespace
}  // namespace strain::model

namespace strain::model {
namespace {

TEST(Seed, RepetitionsRunUnderTheNextSeedOfTheRunOrOfTheSpec) {
  EXPECT_EQ(resolve_seed(std::nullopt, 11), 11u);
  EXPECT_EQ(resolve_seed(std::nullopt, 11, 2), 13u);
  EXPECT_EQ(resolve_seed(7, 11), 7u) << "--seed replaces the spec's";
  EXPECT_EQ(resolve_seed(7, 11, 3), 10u);
}

TEST(Seed, TrialSeedsDependOnSeedCaseAndTrialOnly) {
  EXPECT_EQ(trial_seed(1, "a/b", 3), trial_seed(case_seed(1, "a/b"), 3));
  EXPECT_NE(trial_seed(1, "a/b", 3), trial_seed(2, "a/b", 3));
  EXPECT_NE(trial_seed(1, "a/b", 3), trial_seed(1, "a/c", 3));
  EXPECT_NE(trial_seed(1, "a/b", 3), trial_seed(1, "a/b", 4));
  // Frozen: a replay line printed by an earlier strain names seeds derived
  // so (the value is the derivation's as of its first release).
  EXPECT_EQ(hash_id(""), 1469598103934665603ULL);
  EXPECT_NE(context_seed(5, 0), context_seed(5, 1));
  EXPECT_NE(strategy_seed(5, 0), strategy_seed(5, 1));
}

TEST(RunPlan, RoundTripsThroughJsonWithEveryField) {
  RunPlan p;
  p.spec_path = "specs/a b.yaml";
  p.case_id = "a/b$(x)";
  p.plugin_file = "/p/lib.so";
  p.seed = 18446744073709551615ULL;
  p.strategy_flag = "controlled/pct";
  p.intensity = 0.25;
  p.keep_going = true;
  p.only_trial = 6;
  p.repeat = 3;
  p.first_trial = 4;
  p.budget_s = 1.5;
  p.steps = 2;
  p.trace_in = "in.trace";
  p.trace_out = "out.trace";
  p.tsan_build = true;
  p.command_prefix = {"/bin/strain", "--plugin-path", "/p"};
  const RunPlan q = run_plan_from_json(to_json(p));
  EXPECT_EQ(to_json(q), to_json(p));
  EXPECT_EQ(q.seed, p.seed);
  EXPECT_EQ(q.only_trial, 6u);
  EXPECT_EQ(q.budget_s, 1.5);
  EXPECT_EQ(q.command_prefix, p.command_prefix);
  EXPECT_EQ(to_json(p).find('\n'), std::string::npos) << "one line";
  // Absent optionals stay absent; absent fields take their defaults.
  const RunPlan d = run_plan_from_json(R"({"spec_path": "s.yaml", "case_id": "x"})");
  EXPECT_EQ(d.case_id, "x");
  EXPECT_FALSE(d.only_trial);
  EXPECT_EQ(d.repeat, 1u);
  EXPECT_EQ(d.intensity, 1.0);
}

TEST(RunPlan, ABadPlanSaysWhichFieldIsWrong) {
  auto error_of = [](std::string_view text) {
    try {
      (void)run_plan_from_json(text);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ids = R"("spec_path": "s.yaml", "case_id": "x")";
  EXPECT_NE(error_of("{" + ids + R"(, "seed": "seven"})").find("'seed'"), std::string::npos);
  EXPECT_NE(error_of("{" + ids + R"(, "only_trial": -1})").find("'only_trial'"), std::string::npos);
  EXPECT_NE(error_of("{" + ids + R"(, "seed": 5.5e51})").find("'seed'"), std::string::npos);
  EXPECT_NE(error_of("{" + ids + R"(, "command_prefix": [1]})").find("'command_prefix'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"case_id": "x"})").find("no spec_path"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{").find("not JSON"), std::string::npos);
}

}  // namespace
}  // namespace strain::model
