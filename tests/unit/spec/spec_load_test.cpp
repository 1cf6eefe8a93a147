// Valid specs: defaults, resolution order, expectations and invariants
// (matrix expansion: spec_matrix_test.cpp; durations and loading from disk:
// spec_file_test.cpp).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures/site_facts.hpp"
#include "runtime/abi_types.hpp"
#include "spec/load.hpp"
#include "spec_load_fixture.hpp"

namespace strain::spec {
namespace {

using check::Value;
using model::Outcome;
using spec_test::make_catalog;
using spec_test::SpecLoadTest;

TEST_F(SpecLoadTest, DefaultsApply) {
  const Spec s = parse("plugin: bank\ncases:\n  - name: fixed\n");
  EXPECT_EQ(s.name, "bank_spec");  // the file's stem
  EXPECT_EQ(s.path, "dir/bank_spec.yaml");
  EXPECT_EQ(s.plugin, "bank");
  EXPECT_EQ(s.description, "");
  ASSERT_EQ(s.cases.size(), 1u);
  const Case& c = s.cases[0];
  EXPECT_EQ(c.id, "bank_spec/fixed");
  EXPECT_EQ(c.spec_name, "bank_spec");
  EXPECT_EQ(c.spec_path, "dir/bank_spec.yaml");
  EXPECT_EQ(c.case_name, "fixed");
  EXPECT_EQ(c.plugin, "bank");
  EXPECT_EQ(c.scenario, &catalog_.scenarios[0]);
  EXPECT_TRUE(c.matrix.empty());
  EXPECT_EQ(c.params, (std::vector<Value>{Value::integer(1000), Value::string("fixed"),
                                          Value::number(0.5), Value::boolean(false)}));
  const Schedule d;
  EXPECT_EQ(c.schedule.topology, Topology::threads);
  EXPECT_EQ(c.schedule.role_counts, (std::vector<int>{1, 1}));
  EXPECT_EQ(c.schedule.trials, d.trials);
  EXPECT_EQ(c.schedule.budget_s, d.budget_s);
  EXPECT_EQ(c.schedule.timeout_s, d.timeout_s);
  EXPECT_EQ(c.schedule.seed, d.seed);
  EXPECT_EQ(c.schedule.time_scale, d.time_scale);
  // Naming no strategy: the controlled portfolio with the weak memory model.
  EXPECT_EQ(model::to_string(c.schedule.strategy.name), "controlled");
  EXPECT_EQ(model::to_string(c.schedule.strategy.pick), "portfolio");
  EXPECT_TRUE(c.schedule.strategy.weak_memory);
  EXPECT_EQ(model::to_string(c.schedule.strategy.plain_accesses), "shared");
  EXPECT_EQ(c.expect.plain, Outcome::pass);
  EXPECT_EQ(c.expect.tsan, Outcome::pass);
  EXPECT_TRUE(c.invariants.empty());
  EXPECT_EQ(c.names, (std::vector<std::string>{"initial_balance", "variant", "ratio", "verbose",
                                               "final_balance", "min_balance"}));
  EXPECT_EQ(c.loc.file, "dir/bank_spec.yaml");
  EXPECT_EQ(c.loc.line, 3);
  EXPECT_EQ(c.loc.col, 5);
}

TEST_F(SpecLoadTest, NoFixtureByDefault) {
  const Spec s = parse("plugin: bank\ncases:\n  - name: a\n");
  EXPECT_FALSE(s.cases[0].site.has_value());
}

TEST_F(SpecLoadTest, SiteOptionsMergeSpecThenCase) {
  const Spec s = parse(R"(plugin: bank
fixtures:
  site: { pages: 50, latency_ms: [2, 9], error_rate: 0.25, faults: [drop], seed: 11 }
invariants: [site_requests >= 0]
cases:
  - name: spec_level
  - name: case_level
    fixtures:
      site: { pages: 7, latency_ms: 3, links_per_page: 0, offsite_rate: 0.5, broken_rate: 0.25,
              page_bytes: [10, 20], faults: ["500", slow] }
)");
  ASSERT_EQ(s.cases.size(), 2u);
  ASSERT_TRUE(s.cases[0].site.has_value());
  const fixtures::SiteOptions& a = *s.cases[0].site;
  const fixtures::SiteOptions d;
  EXPECT_EQ(a.pages, 50);
  EXPECT_EQ(a.links_per_page, d.links_per_page);
  EXPECT_EQ(a.latency_min_ms, 2.0);
  EXPECT_EQ(a.latency_max_ms, 9.0);
  EXPECT_EQ(a.error_rate, 0.25);
  EXPECT_FALSE(a.fault_500);
  EXPECT_FALSE(a.fault_slow);
  EXPECT_TRUE(a.fault_drop);
  EXPECT_EQ(a.seed, 11u);
  EXPECT_EQ(a.page_bytes_min, d.page_bytes_min);
  ASSERT_TRUE(s.cases[1].site.has_value());
  const fixtures::SiteOptions& b = *s.cases[1].site;
  EXPECT_EQ(b.pages, 7);             // the case's own
  EXPECT_EQ(b.error_rate, 0.25);     // the spec's, kept
  EXPECT_EQ(b.latency_min_ms, 3.0);  // one number: min = max
  EXPECT_EQ(b.latency_max_ms, 3.0);
  EXPECT_EQ(b.links_per_page, 0);
  EXPECT_EQ(b.offsite_rate, 0.5);
  EXPECT_EQ(b.broken_rate, 0.25);
  EXPECT_EQ(b.page_bytes_min, 10);
  EXPECT_EQ(b.page_bytes_max, 20);
  EXPECT_TRUE(b.fault_500);
  EXPECT_TRUE(b.fault_slow);
  EXPECT_FALSE(b.fault_drop);
  // The site's facts follow the params and metrics as names.
  const auto& names = s.cases[0].names;
  ASSERT_EQ(names.size(), 6u + fixtures::kSiteFactNames.size());
  EXPECT_EQ(names[6], "site_pages");
  EXPECT_EQ(names.back(), "site_latency_max_s");
}

TEST_F(SpecLoadTest, CaseAloneCanAskForTheSite) {
  const Spec s = parse(R"(plugin: bank
cases:
  - name: without
  - name: with
    fixtures: { site: }
    invariants: [site_pages == 200]
)");
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_FALSE(s.cases[0].site.has_value());
  ASSERT_TRUE(s.cases[1].site.has_value());
  EXPECT_EQ(s.cases[1].site->pages, fixtures::SiteOptions{}.pages);
}

TEST_F(SpecLoadTest, EveryScheduleKeyIsRead) {
  const Spec s = parse(R"(name: custom
description: the bank
plugin: bank
schedule:
  topology: processes
  roles: { withdraw: 2, deposit: 3 }
  trials: 20000
  budget: 5s
  timeout: 250ms
  strategy: { name: random, yield_p: 0.1, spin_p: 0.05, sleep_p: 0.01, spin_iters: 50, sleep_us: 7.5 }
  seed: 42
  time_scale: 0.001
cases:
  - name: a
)");
  EXPECT_EQ(s.name, "custom");
  EXPECT_EQ(s.description, "the bank");
  ASSERT_EQ(s.cases.size(), 1u);
  const Schedule& sc = s.cases[0].schedule;
  EXPECT_EQ(sc.topology, Topology::processes);
  EXPECT_EQ(sc.role_counts, (std::vector<int>{2, 3}));
  EXPECT_EQ(sc.trials, 20000u);
  EXPECT_DOUBLE_EQ(sc.budget_s, 5.0);
  EXPECT_DOUBLE_EQ(sc.timeout_s, 0.25);
  EXPECT_EQ(model::to_string(sc.strategy.name), "random");
  EXPECT_DOUBLE_EQ(sc.strategy.yield_p, 0.1);
  EXPECT_DOUBLE_EQ(sc.strategy.spin_p, 0.05);
  EXPECT_DOUBLE_EQ(sc.strategy.sleep_p, 0.01);
  EXPECT_EQ(sc.strategy.spin_iters, 50);
  EXPECT_DOUBLE_EQ(sc.strategy.sleep_us, 7.5);
  EXPECT_EQ(sc.seed, 42u);
  EXPECT_DOUBLE_EQ(sc.time_scale, 0.001);
  EXPECT_EQ(s.cases[0].id, "custom/a");
}

TEST_F(SpecLoadTest, TheDefaultStrategyFollowsTheTopologyAndKeepsWhatWasNamed) {
  const Spec s = parse(R"(plugin: bank
matrix:
  schedule.topology: [threads, processes]
cases:
  - name: unnamed
  - name: pick_only
    schedule: { strategy: { pick: pos, weak_memory: false } }
  - name: named_none
    schedule: { strategy: none }
  - name: bare_random
    schedule: { strategy: random }
  - name: dfs_only
    schedule: { strategy: { pick: dfs } }
)");
  ASSERT_EQ(s.cases.size(), 10u);
  const auto strategy = [&](std::size_t k) { return s.cases[k].schedule.strategy; };
  // threads: the controlled portfolio; processes: chaos.
  EXPECT_EQ(model::to_string(strategy(0).name), "controlled");
  EXPECT_EQ(model::to_string(strategy(0).pick), "portfolio");
  EXPECT_EQ(model::to_string(strategy(1).name), "chaos");
  // A pick or weak_memory written without a name are kept.
  EXPECT_EQ(model::to_string(strategy(2).name), "controlled");
  EXPECT_EQ(model::to_string(strategy(2).pick), "pos");
  EXPECT_FALSE(strategy(2).weak_memory);
  // A named strategy is left alone.
  EXPECT_EQ(model::to_string(strategy(4).name), "none");
  EXPECT_EQ(model::to_string(strategy(5).name), "none");
  // `random` with no probability yields at some points instead of none.
  EXPECT_EQ(model::to_string(strategy(6).name), "random");
  EXPECT_DOUBLE_EQ(strategy(6).yield_p, 0.1);
  // The search branches on the weak memory model's choices too, so it
  // gets the model as the other picks do.
  EXPECT_EQ(model::to_string(strategy(8).pick), "dfs");
  EXPECT_TRUE(strategy(8).weak_memory);
}

TEST_F(SpecLoadTest, ARoleThatNeedsSeveralInstancesGetsThemByDefaultAndNoFewer) {
  plugin::ScenarioInfo pair;
  pair.name = "pair";
  pair.roles = {{"worker", "", 2}, {"observer", "", 1}};
  plugin::Catalog catalog;
  catalog.scenarios = {pair};
  const Spec s = parse_spec("plugin: pair\ncases:\n  - name: a\n", "pair.yaml", catalog);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].schedule.role_counts, (std::vector<int>{2, 1}));
  try {
    (void)parse_spec("plugin: pair\nschedule: { roles: { worker: 1 } }\ncases:\n  - name: a\n",
                     "pair.yaml", catalog);
    ADD_FAILURE() << "one worker was accepted";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "pair.yaml:2:20: role 'worker' needs at least 2 instances (its plugin declares "
                  "it), got 1"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(SpecLoadTest, PlainAccessesIsReadPerCaseAndInAMatrix) {
  const Spec s = parse(R"(plugin: bank
schedule: { strategy: { name: controlled, plain_accesses: all } }
matrix:
  schedule.strategy.plain_accesses: [off, shared]
cases:
  - name: a
)");
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_EQ(model::to_string(s.cases[0].schedule.strategy.plain_accesses), "off");
  EXPECT_EQ(model::to_string(s.cases[1].schedule.strategy.plain_accesses), "shared");
}

TEST_F(SpecLoadTest, OverridesApplyInOrder) {
  const Spec s = parse(R"(plugin: bank
params: { initial_balance: 500, ratio: 2, verbose: true }
schedule:
  trials: 10
  seed: 7
  roles: { withdraw: 3 }
  strategy: { name: random, yield_p: 0.2 }
cases:
  - name: a
    params: { ratio: 0.25, variant: bug_unlocked }
    schedule:
      trials: 500
      roles: { deposit: 4 }
      strategy: { spin_p: 0.3 }
  - name: b
    schedule: { strategy: none }
)");
  ASSERT_EQ(s.cases.size(), 2u);
  const Case& a = s.cases[0];
  EXPECT_EQ(a.params, (std::vector<Value>{Value::integer(500), Value::string("bug_unlocked"),
                                          Value::number(0.25), Value::boolean(true)}));
  EXPECT_EQ(a.schedule.trials, 500u);
  EXPECT_EQ(a.schedule.seed, 7u);
  EXPECT_EQ(a.schedule.role_counts, (std::vector<int>{3, 4}));      // roles merge per role
  EXPECT_EQ(model::to_string(a.schedule.strategy.name), "random");  // strategy merges per key
  EXPECT_DOUBLE_EQ(a.schedule.strategy.yield_p, 0.2);
  EXPECT_DOUBLE_EQ(a.schedule.strategy.spin_p, 0.3);
  const Case& b = s.cases[1];
  // An int is accepted for a number param.
  EXPECT_EQ(b.params[2], Value::number(2.0));
  EXPECT_EQ(b.schedule.trials, 10u);
  EXPECT_EQ(b.schedule.role_counts, (std::vector<int>{3, 1}));
  EXPECT_EQ(model::to_string(b.schedule.strategy.name), "none");
}

TEST_F(SpecLoadTest, Expectations) {
  const Spec s = parse(R"(plugin: bank
cases:
  - name: default
  - name: scalar
    expect: violation
  - name: map
    expect: { outcome: violation }
  - name: both
    expect: { outcome: pass, tsan: race }
  - name: tsan_only
    expect: { tsan: race }
)");
  ASSERT_EQ(s.cases.size(), 5u);
  const auto plain = [&](int i) { return s.cases[i].expect.for_build(false); };
  const auto tsan = [&](int i) { return s.cases[i].expect.for_build(true); };
  EXPECT_EQ(plain(0), Outcome::pass);
  EXPECT_EQ(tsan(0), Outcome::pass);
  EXPECT_EQ(plain(1), Outcome::violation);
  EXPECT_EQ(tsan(1), Outcome::violation);
  EXPECT_EQ(plain(2), Outcome::violation);
  EXPECT_EQ(tsan(2), Outcome::violation);  // tsan defaults to outcome
  EXPECT_EQ(plain(3), Outcome::pass);
  EXPECT_EQ(tsan(3), Outcome::race);
  EXPECT_EQ(plain(4), Outcome::pass);
  EXPECT_EQ(tsan(4), Outcome::race);
}

TEST_F(SpecLoadTest, InvariantsCompileAgainstParamsThenMetrics) {
  const Spec s = parse(R"(plugin: bank
invariants: [ "min_balance >= 0" ]
cases:
  - name: a
    invariants:
      - final_balance <= initial_balance
  - name: b
)");
  ASSERT_EQ(s.cases.size(), 2u);
  const Case& a = s.cases[0];
  ASSERT_EQ(a.invariants.size(), 2u);  // spec-level first, then the case's
  EXPECT_EQ(a.invariants[0].text, "min_balance >= 0");
  EXPECT_EQ(a.invariants[0].loc.line, 2);
  EXPECT_EQ(a.invariants[0].loc.col, 15);
  EXPECT_EQ(a.invariants[0].expr.used(), (std::vector<std::size_t>{5}));
  EXPECT_EQ(a.invariants[1].text, "final_balance <= initial_balance");
  EXPECT_EQ(a.invariants[1].loc.line, 6);
  EXPECT_EQ(a.invariants[1].expr.used(), (std::vector<std::size_t>{4, 0}));

  // Evaluate with the case's params and made-up metrics, as the runner will.
  std::vector<Value> vars = a.params;
  vars.push_back(Value::integer(1200));  // final_balance
  vars.push_back(Value::integer(-5));    // min_balance
  EXPECT_FALSE(a.invariants[0].expr.eval(vars).value);
  EXPECT_FALSE(a.invariants[1].expr.eval(vars).value);
  vars[4] = Value::integer(900);
  vars[5] = Value::integer(0);
  EXPECT_TRUE(a.invariants[0].expr.eval(vars).value);
  EXPECT_TRUE(a.invariants[1].expr.eval(vars).value);
  EXPECT_EQ(s.cases[1].invariants.size(), 1u);
}

TEST_F(SpecLoadTest, ShowNamesMetricsAndACaseListReplacesTheSpecs) {
  const Spec s = parse(R"(plugin: bank
show: [min_balance, final_balance]
matrix: { params.ratio: [0.25, 0.75] }
cases:
  - name: inherits
  - name: own
    show: [final_balance]
  - name: none
    show: []
)");
  ASSERT_EQ(s.cases.size(), 6u);
  const auto names = [](const Case& c) {
    std::vector<std::string> out;
    for (const auto& sh : c.show) out.push_back(sh.name);
    return out;
  };
  // Every matrix point of a case gets its list; metric indices follow the
  // plugin's declaration order (final_balance 0, min_balance 1).
  for (int k : {0, 1}) {
    EXPECT_EQ(names(s.cases[k]), (std::vector<std::string>{"min_balance", "final_balance"}));
    EXPECT_EQ(s.cases[k].show[0].metric, 1u);
    EXPECT_EQ(s.cases[k].show[1].metric, 0u);
  }
  EXPECT_EQ(names(s.cases[2]), (std::vector<std::string>{"final_balance"}));
  EXPECT_EQ(s.cases[2].show[0].metric, 0u);
  EXPECT_TRUE(s.cases[4].show.empty());
  EXPECT_TRUE(parse("plugin: bank\ncases:\n  - name: a\n").cases[0].show.empty());
}

}  // namespace
}  // namespace strain::spec
