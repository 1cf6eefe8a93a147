// A case run on real plugins: trial counts, stopping rules, verdicts,
// classification of failures, invariants and seeds.

#include "exec/case_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "model/seed.hpp"
#include "plugin/loader.hpp"

namespace strain::exec {
namespace {

using model::Outcome;

const plugin::Catalog& catalog() {
  static const plugin::Catalog c =
      plugin::discover({STRAIN_TEST_PLUGIN_DIR "/trivial.so", STRAIN_TEST_PLUGIN_DIR "/faulty.so",
                        STRAIN_TEST_PLUGIN_DIR "/setup_heap.so"});
  return c;
}

// A case of `plugin` with default params, one thread per role, and the given
// invariants.
spec::Case make_case(const std::string& plugin, std::vector<std::string> invariants = {}) {
  spec::Case c;
  c.scenario = catalog().find(plugin);
  EXPECT_NE(c.scenario, nullptr);
  c.plugin = plugin;
  c.spec_name = "t";
  c.case_name = plugin;
  c.id = "t/" + plugin;
  c.spec_path = "t.yaml";
  for (const auto& p : c.scenario->params) {
    c.params.push_back(p.default_value);
    c.names.push_back(p.name);
  }
  for (const auto& m : c.scenario->metrics) c.names.push_back(m.name);
  c.schedule.role_counts.assign(c.scenario->roles.size(), 1);
  c.schedule.trials = 200;
  c.schedule.budget_s = 60;
  for (auto& text : invariants) {
    spec::Invariant inv;
    inv.text = text;
    inv.loc = {"t.yaml", 7 + static_cast<int>(c.invariants.size()), 5};
    check::ExprError err;
    EXPECT_TRUE(check::Expr::compile(text, c.names, inv.expr, err)) << err.message;
    c.invariants.push_back(std::move(inv));
  }
  return c;
}

void set_param(spec::Case& c, const std::string& name, check::Value v) {
  for (std::size_t k = 0; k < c.scenario->params.size(); ++k)
    if (c.scenario->params[k].name == name) c.params[k] = std::move(v);
}

// The tests that hold in either topology, and in the process topology both
// with its step between trials in role process 0 (exec/process_lane.hpp)
// and in the worker's thread (as ThreadSanitizer builds run it, where each
// process counts its own reports): counts, failures, metrics, budgets and
// replays must come out the same.
// And in either topology with a batch (schedule.batch) of 8 trials per
// start of the team, set up, run and checked in bundles of their own: a
// trial's outcome, seed and metrics must not depend on where in a batch it
// ran, nor may a batch run more trials than the case has.
enum class Where {
  threads,
  processes,
  processes_in_the_worker,
  threads_batched,
  processes_batched
};

class CaseRunIn : public ::testing::TestWithParam<Where> {
 protected:
  spec::Case make_case(const std::string& plugin, std::vector<std::string> invariants = {}) {
    spec::Case c = exec::make_case(plugin, std::move(invariants));
    const bool threads = GetParam() == Where::threads || GetParam() == Where::threads_batched;
    c.schedule.topology = threads ? spec::Topology::threads : spec::Topology::processes;
    if (GetParam() == Where::threads_batched || GetParam() == Where::processes_batched)
      c.schedule.batch = 8;
    return c;
  }
  model::RunPlan plan_for(const spec::Case& c, std::optional<std::uint64_t> seed) {
    model::RunPlan p = exec::plan_for(c, seed);
    // The switch lane_fits() reads for a ThreadSanitizer build; nothing
    // else of a run depends on it but the expected outcome, which these
    // cases give for both builds alike.
    p.tsan_build = GetParam() == Where::processes_in_the_worker;
    return p;
  }
};

std::string where_name(const ::testing::TestParamInfo<Where>& info) {
  switch (info.param) {
    case Where::threads:
      return "threads";
    case Where::processes:
      return "processes";
    case Where::processes_in_the_worker:
      return "processes_in_the_worker";
    case Where::threads_batched:
      return "threads_batched";
    case Where::processes_batched:
      return "processes_batched";
  }
  return "?";
}

std::uint64_t count(const model::CaseResult& r, Outcome o) {
  return r.outcomes[static_cast<std::size_t>(o)];
}

TEST_P(CaseRunIn, RunsEveryTrialAndMeetsPass) {
  const spec::Case c = make_case("trivial", {"sum == 3"});
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 200u);
  EXPECT_EQ(count(r, Outcome::pass), 200u);
  EXPECT_EQ(r.stopped_by, model::StopReason::trials);
  EXPECT_TRUE(r.met);
  EXPECT_FALSE(r.first_failure);
}

TEST_P(CaseRunIn, ShownMetricsAreAggregatedOverEveryTrial) {
  spec::Case c = make_case("trivial", {"sum == 3"});
  const auto metric_index = [&](const std::string& name) {
    for (std::size_t k = 0; k < c.scenario->metrics.size(); ++k)
      if (c.scenario->metrics[k].name == name) return k;
    ADD_FAILURE() << "no metric " << name;
    return std::size_t{0};
  };
  c.show = {{"trial_seed_low", metric_index("trial_seed_low")}, {"sum", metric_index("sum")}};
  c.schedule.trials = 50;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  ASSERT_EQ(r.measured.size(), 2u);
  // In the spec's order, every trial counted.
  EXPECT_EQ(r.measured[0].name, "trial_seed_low");
  EXPECT_EQ(r.measured[1].name, "sum");
  EXPECT_EQ(r.measured[0].count, 50u);
  EXPECT_EQ(r.measured[1].count, 50u);
  EXPECT_EQ(r.measured[1].mean, 3.0);
  EXPECT_EQ(r.measured[1].min, 3.0);
  EXPECT_EQ(r.measured[1].max, 3.0);
  // The low 16 bits of 50 trial seeds: the mean of what was seen, between
  // its extremes, which differ.
  double sum = 0, lo = 1e9, hi = -1;
  for (std::uint64_t t = 0; t < 50; ++t) {
    const double v = static_cast<double>(model::trial_seed(c.schedule.seed, c.id, t) & 0xffff);
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_DOUBLE_EQ(r.measured[0].mean, sum / 50);
  EXPECT_EQ(r.measured[0].min, lo);
  EXPECT_EQ(r.measured[0].max, hi);
  EXPECT_LT(lo, hi);
}

TEST_P(CaseRunIn, ShownMetricsIncludeFailingTrialsAndNothingWhenNoneAsked) {
  spec::Case c = make_case("trivial");
  set_param(c, "fail_every", check::Value::integer(4));
  c.expect.plain = c.expect.tsan = Outcome::violation;
  EXPECT_TRUE(run_case(c, plan_for(c, {})).measured.empty());
  c.show = {{"sum", 0}};
  for (std::size_t k = 0; k < c.scenario->metrics.size(); ++k)
    if (c.scenario->metrics[k].name == "sum") c.show[0].metric = k;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 4u);
  ASSERT_EQ(r.measured.size(), 1u);
  EXPECT_EQ(r.measured[0].count, 4u);  // the violating trial recorded it too
}

TEST_P(CaseRunIn, StopsAtFirstFailureWithReplay) {
  spec::Case c = make_case("trivial");
  set_param(c, "fail_every", check::Value::integer(5));
  c.expect.plain = c.expect.tsan = Outcome::violation;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 5u);
  EXPECT_EQ(r.stopped_by, model::StopReason::failure);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 4u);
  EXPECT_EQ(r.first_failure->outcome, Outcome::violation);
  EXPECT_EQ(r.first_failure->message, "check: asked to fail this trial");
  EXPECT_EQ(r.first_failure->seed, model::trial_seed(c.schedule.seed, c.id, 4));
  // Complete: the spec's absolute path, so the line works from any folder.
  EXPECT_EQ(r.first_failure->replay, "strain replay t/trivial --seed 1 --trial 4 --spec " +
                                         (std::filesystem::current_path() / "t.yaml").string());
  EXPECT_TRUE(r.met);
}

TEST_P(CaseRunIn, KeepGoingCountsEveryOutcome) {
  spec::Case c = make_case("trivial");
  set_param(c, "fail_every", check::Value::integer(5));
  model::RunPlan plan = plan_for(c, {});
  plan.keep_going = true;
  const model::CaseResult r = run_case(c, plan);
  EXPECT_EQ(r.trials, 200u);
  EXPECT_EQ(count(r, Outcome::violation), 40u);
  EXPECT_EQ(count(r, Outcome::pass), 160u);
  EXPECT_FALSE(r.met);  // expected pass
}

TEST_P(CaseRunIn, BudgetStopsALongCase) {
  spec::Case c = make_case("trivial");
  c.schedule.trials = 1'000'000'000'000ULL;
  c.schedule.budget_s = 0.2;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.stopped_by, model::StopReason::budget);
  EXPECT_GT(r.trials, 0u);
  EXPECT_TRUE(r.met);
}

TEST_P(CaseRunIn, FailedInvariantNamesEveryValueItsExpansionAndWhereItIs) {
  const spec::Case c =
      make_case("trivial", {"sum == 3 && fail_every == 0", "sum + fail_every == 4"});
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 0u);
  EXPECT_EQ(
      r.first_failure->message,
      "invariant 'sum + fail_every == 4' does not hold: sum=3, fail_every=0; expanded: 3 == 4 "
      "(t.yaml:8:5)");
  EXPECT_FALSE(r.met);
}

struct FaultCase {
  const char* mode;
  Outcome outcome;
  const char* message;
};

// A topology, and the batch of the thread topology.
using Layout = std::pair<spec::Topology, std::uint32_t>;

class Faults : public ::testing::TestWithParam<std::tuple<FaultCase, Layout>> {};

TEST_P(Faults, AreClassifiedWithTheirMessage) {
  const auto& [fault, layout] = GetParam();
  spec::Case c = make_case("faulty", {"value == 1"});
  c.schedule.topology = layout.first;
  c.schedule.batch = layout.second;
  set_param(c, "mode", check::Value::string(fault.mode));
  c.expect.plain = c.expect.tsan = fault.outcome;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, fault.outcome);
  EXPECT_EQ(r.first_failure->message, fault.message);
  EXPECT_TRUE(r.met);
  EXPECT_EQ(r.trials, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    CaseRun, Faults,
    ::testing::Combine(
        ::testing::Values(
            FaultCase{"throw_in_role", Outcome::error, "role actor#0: role exploded"},
            FaultCase{"throw_in_setup", Outcome::error, "setup failed: setup exploded"},
            FaultCase{"throw_in_check", Outcome::error, "check: check exploded"},
            FaultCase{"expect", Outcome::violation, "role actor#0: arithmetic still works"},
            FaultCase{
                "metric_in_role", Outcome::error,
                "role actor#0: metric('value') called from a role; call it in setup or check"},
            FaultCase{"unrecorded_metric", Outcome::error,
                      "invariant 'value == 1' could not be evaluated: 'value' has no value (the "
                      "metric was not recorded)"}),
        ::testing::Values(Layout{spec::Topology::threads, 1}, Layout{spec::Topology::processes, 1},
                          Layout{spec::Topology::threads, 8},
                          Layout{spec::Topology::processes, 8})));

TEST_P(CaseRunIn, AnotherFailureKindThanExpectedIsUnmet) {
  spec::Case c = make_case("faulty");
  set_param(c, "mode", check::Value::string("throw_in_role"));
  c.expect.plain = c.expect.tsan = Outcome::violation;
  EXPECT_FALSE(run_case(c, plan_for(c, {})).met);
}

TEST(CaseRun, TrialSeedsDependOnSeedCaseAndTrial) {
  EXPECT_EQ(model::trial_seed(1, "a/b", 3), model::trial_seed(1, "a/b", 3));
  EXPECT_NE(model::trial_seed(1, "a/b", 3), model::trial_seed(2, "a/b", 3));
  EXPECT_NE(model::trial_seed(1, "a/b", 3), model::trial_seed(1, "a/c", 3));
  EXPECT_NE(model::trial_seed(1, "a/b", 3), model::trial_seed(1, "a/b", 4));
}

TEST_P(CaseRunIn, ReplayRunsTheSameTrialAgain) {
  spec::Case c = make_case("trivial");
  set_param(c, "fail_every", check::Value::integer(7));
  model::RunPlan plan = plan_for(c, 99);
  plan.only_trial = 6;
  plan.repeat = 3;
  const model::CaseResult r = run_case(c, plan);
  EXPECT_EQ(r.trials, 3u);
  EXPECT_EQ(count(r, Outcome::violation), 3u);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 6u);
  EXPECT_EQ(r.first_failure->seed, model::trial_seed(99, c.id, 6));
}

TEST_P(CaseRunIn, RandomStrategyWithManyThreadsCompletes) {
  spec::Case c = make_case("trivial", {"sum == 3"});
  set_param(c, "points", check::Value::integer(10));
  c.schedule.role_counts = {3, 2};
  c.schedule.strategy.name = model::StrategyName::random;
  c.schedule.strategy.yield_p = 0.3;
  c.schedule.strategy.spin_p = 0.3;
  c.schedule.strategy.sleep_p = 0.01;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 200u);
  EXPECT_TRUE(r.met);
}

TEST_P(CaseRunIn, ProgressIsReportedForALongCase) {
  spec::Case c = make_case("trivial");
  c.schedule.trials = 1'000'000'000'000ULL;
  c.schedule.budget_s = 0.5;
  CaseHooks hooks;
  int calls = 0;
  hooks.progress = [&](const model::CaseProgress& p) {
    ++calls;
    EXPECT_EQ(p.id, "t/trivial");
  };
  (void)run_case(c, plan_for(c, {}), hooks);
  EXPECT_GT(calls, 0);
}

// Each role's context says the trial and seed of the trial it runs, also
// under a strategy that draws from it, and however many trials are left
// for a last batch.
TEST_P(CaseRunIn, RolesSeeTheTrialAndSeedOfTheirTrial) {
  spec::Case c = make_case("trivial", {"sum == 3"});
  set_param(c, "check_seeds", check::Value::boolean(true));
  set_param(c, "points", check::Value::integer(3));
  c.schedule.strategy.name = model::StrategyName::random;
  c.schedule.strategy.yield_p = 0.2;
  c.schedule.trials = 61;
  model::RunPlan plan = plan_for(c, 5);
  plan.keep_going = true;
  const model::CaseResult r = run_case(c, plan);
  EXPECT_EQ(r.trials, 61u);
  EXPECT_EQ(count(r, Outcome::pass), 61u)
      << (r.first_failure ? r.first_failure->message : std::string());
}

INSTANTIATE_TEST_SUITE_P(CaseRun, CaseRunIn,
                         ::testing::Values(Where::threads, Where::processes,
                                           Where::processes_in_the_worker, Where::threads_batched,
                                           Where::processes_batched),
                         where_name);

// The process topology's step between trials runs in role process 0, set-up
// included after a failure was handed back: set-up, check and destroy meet
// on one heap (a vector only they use), and every failure there is counted
// with its trial. The thread topology must agree.
TEST_P(CaseRunIn, SetUpAndCheckShareAHeapAndEveryFailureIsCounted) {
  spec::Case c = make_case("setup_heap", {"count == 2"});
  c.schedule.trials = 300;
  set_param(c, "fail_setup_every", check::Value::integer(11));
  set_param(c, "fail_check_every", check::Value::integer(7));
  model::RunPlan plan = plan_for(c, {});
  plan.keep_going = true;
  const model::CaseResult r = run_case(c, plan);
  EXPECT_EQ(r.stopped_by, model::StopReason::trials)
      << (r.first_failure ? r.first_failure->message : "");
  EXPECT_EQ(r.trials, 300u);
  // Set-ups of trials 10, 21, ... 296 fail (27); checks of trials 6, 13, ...
  // 300 fail unless their set-up did (42 - 3).
  EXPECT_EQ(count(r, Outcome::error), 27u);
  EXPECT_EQ(count(r, Outcome::violation), 39u);
  EXPECT_EQ(count(r, Outcome::pass), 234u);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 6u);
  EXPECT_EQ(r.first_failure->message, "check: asked to fail this check");
  bool seen = false;
  for (const auto& [name, value] : r.metrics) {
    if (name != "count") continue;
    seen = true;
    EXPECT_EQ(value, 2.0);  // the last trial's, set in role process 0
  }
  EXPECT_TRUE(seen);
}

TEST_P(CaseRunIn, AFailedSetUpIsTheTrialsErrorAndTheRunStopsThere) {
  spec::Case c = make_case("setup_heap");
  set_param(c, "fail_setup_every", check::Value::integer(40));
  c.expect.plain = c.expect.tsan = Outcome::error;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 40u);
  EXPECT_EQ(count(r, Outcome::pass), 39u);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 39u);
  EXPECT_EQ(r.first_failure->message, "setup failed: asked to fail this set-up");
  EXPECT_TRUE(r.met);
}

// A crash in the check, which the process topology runs in role process 0:
// the trial's crash, said to be in the step between trials, not the role.
// Also inside a batch (trial 25 is the second of trials 24-31): the check
// runs after the roles ran them all, so the crash is trial 25's alone, and
// trial 24, checked before it, is counted.
class CheckCrash : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(CheckCrash, InTheChecksRoleProcessIsNamedAsOne) {
  spec::Case c = make_case("setup_heap");
  c.schedule.topology = spec::Topology::processes;
  c.schedule.batch = GetParam();
  set_param(c, "crash_check_at", check::Value::integer(25));
  c.expect.plain = c.expect.tsan = Outcome::crash;
  const model::CaseResult r = run_case(c, plan_for(c, {}));
  EXPECT_EQ(r.trials, 26u);
  EXPECT_EQ(count(r, Outcome::pass), 25u);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->trial, 25u);
  EXPECT_NE(r.first_failure->message.find("role first#0: the role process (pid "),
            std::string::npos)
      << r.first_failure->message;
  EXPECT_NE(r.first_failure->message.find("SIGKILL"), std::string::npos)
      << r.first_failure->message;
  EXPECT_NE(r.first_failure->message.find("while it checked the trial and set up the next"),
            std::string::npos)
      << r.first_failure->message;
  EXPECT_EQ(r.first_failure->message.find("batch"), std::string::npos) << r.first_failure->message;
  EXPECT_TRUE(r.met);
}

INSTANTIATE_TEST_SUITE_P(CaseRun, CheckCrash, ::testing::Values(1u, 8u));

}  // namespace
}  // namespace strain::exec

#include "exec/worker_protocol.hpp"

namespace strain::exec {
namespace {

TEST(WorkerProtocol, ResultRoundTripsWithEverything) {
  model::CaseResult r;
  r.trials = 12;
  r.elapsed_s = 0.5;
  r.outcomes[1] = 3;
  r.stopped_by = model::StopReason::failure;
  r.note = "a note";
  r.met = true;
  r.metrics = {{"counter", 2000}, {"speedup", 1.5}};
  r.measured = {{"speedup", 7, 1.25, 0.5, 2.0}, {"parallel_s", 6, 0.1, 0.05, 0.2}};
  r.first_failure = model::TrialFailure{
      4, 99, model::Outcome::violation, "bad \xff bytes", 0.25, "strain replay x"};
  WorkerMessage m;
  ASSERT_TRUE(decode(encode_result(r), m));
  ASSERT_EQ(m.type, WorkerMessage::Type::result);
  EXPECT_EQ(m.result.trials, 12u);
  EXPECT_EQ(m.result.outcomes[1], 3u);
  EXPECT_EQ(m.result.stopped_by, model::StopReason::failure);
  EXPECT_EQ(m.result.note, "a note");
  EXPECT_TRUE(m.result.met);
  ASSERT_EQ(m.result.metrics.size(), 2u);
  EXPECT_EQ(m.result.metrics[0].first, "counter");
  EXPECT_EQ(m.result.metrics[1].second, 1.5);
  ASSERT_EQ(m.result.measured.size(), 2u);
  EXPECT_EQ(m.result.measured[0].name, "speedup");
  EXPECT_EQ(m.result.measured[0].count, 7u);
  EXPECT_EQ(m.result.measured[0].mean, 1.25);
  EXPECT_EQ(m.result.measured[0].min, 0.5);
  EXPECT_EQ(m.result.measured[0].max, 2.0);
  EXPECT_EQ(m.result.measured[1].name, "parallel_s");
  EXPECT_EQ(m.result.measured[1].count, 6u);
  ASSERT_TRUE(m.result.first_failure);
  EXPECT_EQ(m.result.first_failure->seed, 99u);
  EXPECT_EQ(m.result.first_failure->replay, "strain replay x");
}

TEST(WorkerProtocol, MalformedLinesAreRejected) {
  WorkerMessage m;
  EXPECT_FALSE(decode("", m));
  EXPECT_FALSE(decode("not json", m));
  EXPECT_FALSE(decode(R"({"type":"result"})", m));
  EXPECT_FALSE(decode(R"({"type":"other"})", m));
}

// A line whose first attempt fails halfway must not leave its fields in the
// message a later start decodes: nlohmann ends the text at the NUL, so the
// result cut short (trials, then no elapsed_s) was read first, and its trials
// stayed in the failure decoded next (found by worker_protocol_fuzz; the
// input is tests/fuzz/corpus/worker_protocol_fuzz/regression-partial-decode.txt).
TEST(WorkerProtocol, AFailedAttemptLeavesNothingBehind) {
  const std::string line =
      std::string(R"({"result":{"trials":5},"type":"result"})") + '\0' +
      R"({"failure":{"at_s":0.5,"message":"m","outcome":"violation","replay":"r","seed":1,)"
      R"("trial":3},"type":"failure"})";
  WorkerMessage m;
  EXPECT_FALSE(decode(line.substr(0, line.find('\0')), m));
  EXPECT_EQ(m.result.trials, 0u);
  ASSERT_TRUE(decode_line(line, m));
  EXPECT_EQ(m.type, WorkerMessage::Type::failure);
  EXPECT_EQ(m.failure.trial, 3u);
  EXPECT_EQ(m.result.trials, 0u);
}

}  // namespace
}  // namespace strain::exec
