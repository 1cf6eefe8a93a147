// Valid specs: matrix expansion, in key order, over params and whole
// schedule keys, and how a case's matrix and params meet the spec's.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/load.hpp"
#include "spec_load_fixture.hpp"

namespace strain::spec {
namespace {

using check::Value;
using spec_test::make_catalog;
using spec_test::SpecLoadTest;

TEST_F(SpecLoadTest, MatrixExpandsInKeyOrder) {
  const Spec s = parse(R"(name: bank
plugin: bank
schedule: { roles: { withdraw: 9, deposit: 2 } }
matrix:
  schedule.roles.withdraw: [1, 2, 4]
  schedule.topology: [threads, processes]
cases:
  - name: fixed
    schedule: { roles: { withdraw: 7 } }
)");
  EXPECT_EQ(ids(s), (std::vector<std::string>{
                        "bank/fixed/withdraw=1,topology=threads",
                        "bank/fixed/withdraw=1,topology=processes",
                        "bank/fixed/withdraw=2,topology=threads",
                        "bank/fixed/withdraw=2,topology=processes",
                        "bank/fixed/withdraw=4,topology=threads",
                        "bank/fixed/withdraw=4,topology=processes",
                    }));
  ASSERT_EQ(s.cases.size(), 6u);
  const Case& c = s.cases[3];
  EXPECT_EQ(c.case_name, "fixed");
  EXPECT_EQ(c.matrix, (std::vector<std::pair<std::string, std::string>>{
                          {"withdraw", "2"}, {"topology", "processes"}}));
  // The matrix wins over both the spec's and the case's schedule.
  EXPECT_EQ(c.schedule.role_counts, (std::vector<int>{2, 2}));
  EXPECT_EQ(c.schedule.topology, Topology::processes);
  EXPECT_EQ(s.cases[0].schedule.topology, Topology::threads);
}

// A worker loads the one case it runs (its parent checked the whole spec):
// the same case as in the whole spec, and no other built.
TEST_F(SpecLoadTest, OnlyTheCaseAskedForIsBuilt) {
  const std::string yaml = R"(name: bank
plugin: bank
matrix:
  schedule.roles.withdraw: [1, 2, 4]
  schedule.topology: [threads, processes]
cases:
  - name: fixed
  - name: other
)";
  const Spec whole = parse(yaml);
  const Spec one = parse_spec(yaml, "dir/bank_spec.yaml", catalog_,
                              only_case("bank/fixed/withdraw=2,topology=processes"));
  ASSERT_EQ(whole.cases.size(), 12u);
  ASSERT_EQ(one.cases.size(), 1u);
  EXPECT_EQ(one.cases[0].id, whole.cases[3].id);
  EXPECT_EQ(one.cases[0].schedule.role_counts, whole.cases[3].schedule.role_counts);
  EXPECT_EQ(one.cases[0].schedule.topology, Topology::processes);
  EXPECT_EQ(one.cases[0].matrix, whole.cases[3].matrix);
  EXPECT_TRUE(
      parse_spec(yaml, "dir/bank_spec.yaml", catalog_, only_case("bank/none")).cases.empty());
}

// `run --filter` builds what it selects only: the settings of a case it
// leaves out are not checked as a whole (probabilities that sum past 1),
// while every key is still read and typed, and what every case shares is
// still checked.
TEST_F(SpecLoadTest, AFilterBuildsAndChecksTheCasesItAcceptsOnly) {
  const std::string yaml = R"(name: bank
plugin: bank
cases:
  - name: good
  - name: bad
    schedule: { strategy: { name: random, yield_p: 0.75, sleep_p: 0.5 } }
)";
  const CaseFilter good = [](std::string_view id) { return id == "bank/good"; };
  const Spec s = parse_spec(yaml, "dir/bank_spec.yaml", catalog_, good);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].id, "bank/good");
  EXPECT_THROW(parse_spec(yaml, "dir/bank_spec.yaml", catalog_), SpecError);
  EXPECT_THROW(parse_spec(yaml + "unknown_key: 1\n", "dir/bank_spec.yaml", catalog_, good),
               SpecError);
  EXPECT_THROW(parse_spec(yaml + "  - name: typo\n    params: { initial_balance: oops }\n",
                          "dir/bank_spec.yaml", catalog_, good),
               SpecError);
}

TEST_F(SpecLoadTest, MatrixOverridesCaseParams) {
  const Spec s = parse(R"(name: bank
plugin: bank
params: { variant: seed }
matrix: { params.variant: [fixed, bug_unlocked], params.initial_balance: [5] }
cases:
  - name: a
    params: { variant: seed, initial_balance: 1 }
)");
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_EQ(s.cases[0].id, "bank/a/variant=fixed,initial_balance=5");
  EXPECT_EQ(s.cases[0].params[0], Value::integer(5));
  EXPECT_EQ(s.cases[0].params[1], Value::string("fixed"));
  EXPECT_EQ(s.cases[1].params[1], Value::string("bug_unlocked"));
}

TEST_F(SpecLoadTest, CaseMatrixReplacesSpecMatrix) {
  const Spec s = parse(R"(name: bank
plugin: bank
matrix: { params.ratio: [0.1, 0.2] }
cases:
  - name: spec_matrix
  - name: own_matrix
    matrix: { schedule.trials: [5, 6, 7] }
  - name: no_matrix
    matrix: {}
)");
  EXPECT_EQ(ids(s), (std::vector<std::string>{
                        "bank/spec_matrix/ratio=0.1",
                        "bank/spec_matrix/ratio=0.2",
                        "bank/own_matrix/trials=5",
                        "bank/own_matrix/trials=6",
                        "bank/own_matrix/trials=7",
                        "bank/no_matrix",
                    }));
  EXPECT_EQ(s.cases[4].schedule.trials, 7u);
  EXPECT_DOUBLE_EQ(s.cases[4].params[2].d, 0.5);  // the spec matrix does not apply
}

TEST_F(SpecLoadTest, SharedLastComponentUsesFullKeys) {
  const Spec s = parse(R"(name: bank
plugin: bank
matrix:
  schedule.strategy.name: [random]
  params.variant: [seed]
  schedule.roles.deposit: [0]
cases:
  - name: a
    matrix:
      schedule.strategy.name: [none, random]
      schedule.strategy.yield_p: [0.5]
      params.variant: [seed]
)");
  EXPECT_EQ(ids(s), (std::vector<std::string>{
                        "bank/a/name=none,yield_p=0.5,variant=seed",
                        "bank/a/name=random,yield_p=0.5,variant=seed",
                    }));
  EXPECT_EQ(model::to_string(s.cases[1].schedule.strategy.name), "random");

  plugin::Catalog cat = make_catalog();
  cat.scenarios[0].params.push_back({"trials", "", ParamType::integer, Value::integer(3), {}});
  const Spec t = parse_spec(R"(plugin: bank
matrix: { params.trials: [1], schedule.trials: [2], schedule.seed: [3] }
cases: [{name: a}]
)",
                            "t.yaml", cat);
  ASSERT_EQ(t.cases.size(), 1u);
  EXPECT_EQ(t.cases[0].id, "t/a/params.trials=1,schedule.trials=2,seed=3");
  EXPECT_EQ(t.cases[0].params[4], Value::integer(1));
  EXPECT_EQ(t.cases[0].schedule.trials, 2u);
}

TEST_F(SpecLoadTest, MatrixOverWholeScheduleKeys) {
  const Spec s = parse(R"(name: bank
plugin: bank
matrix:
  schedule.strategy: [none, {name: random, yield_p: 0.5}]
  schedule.budget: [1.5, 2m]
cases: [{name: a}]
)");
  EXPECT_EQ(ids(s), (std::vector<std::string>{
                        "bank/a/strategy=none,budget=1.5",
                        "bank/a/strategy=none,budget=2m",
                        "bank/a/strategy={name: random, yield_p: 0.5},budget=1.5",
                        "bank/a/strategy={name: random, yield_p: 0.5},budget=2m",
                    }));
  EXPECT_DOUBLE_EQ(s.cases[3].schedule.strategy.yield_p, 0.5);
  EXPECT_DOUBLE_EQ(s.cases[3].schedule.budget_s, 120.0);
  EXPECT_DOUBLE_EQ(s.cases[0].schedule.budget_s, 1.5);
}

TEST_F(SpecLoadTest, RoleCountZeroAllowedWhenTotalPositive) {
  const Spec s = parse(R"(plugin: bank
matrix: { schedule.roles.deposit: [0, 1] }
cases: [{name: a, schedule: {roles: {withdraw: 0}}, matrix: {schedule.roles.withdraw: [1]}}]
)");
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].schedule.role_counts, (std::vector<int>{1, 1}));
}

}  // namespace
}  // namespace strain::spec
