// Malformed specs: each must be rejected with exactly the diagnostics listed,
// in file order, so users can rely on the `file:line:col: message` output.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/abi_types.hpp"
#include "spec/load.hpp"
#include "spec_load_fixture.hpp"

namespace strain::spec {
namespace {

using check::Value;

plugin::Catalog make_catalog(int problems = 0) {
  plugin::ScenarioInfo queue;
  queue.name = "queue";
  queue.roles = {{"producer", ""}};
  plugin::Catalog catalog;
  catalog.scenarios = {spec_test::bank_scenario(), queue};
  for (int i = 0; i < problems; ++i) catalog.problems.push_back({"bad.so", "no symbol"});
  return catalog;
}

// Every diagnostic of `yaml`, one string each; empty if it parsed.
std::vector<std::string> errors_of(const std::string& yaml, int problems = 0) {
  const plugin::Catalog catalog = make_catalog(problems);
  try {
    parse_spec(yaml, "test.yaml", catalog);
  } catch (const SpecError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.str());
    return out;
  }
  return {};
}

struct BadSpec {
  const char* what;
  std::string yaml;
  std::vector<std::string> errors;
  int problems = 0;
};

void PrintTo(const BadSpec& s, std::ostream* os) { *os << s.what; }

// The tail most specs share, so each entry shows only what it breaks.
const std::string kCases = "cases:\n  - name: a\n";

const std::string kTopKeys =
    "(expected one of: name, description, plugin, params, schedule, fixtures, invariants, show, "
    "matrix, cases)";
const std::string kScheduleKeys =
    "(expected one of: topology, roles, trials, budget, timeout, strategy, seed, time_scale, "
    "batch)";
const std::string kStrategyKeys =
    "(expected one of: name, yield_p, spin_p, sleep_p, spin_iters, sleep_us, pick, depth, steps, "
    "weak_memory, spin_limit, starve_min_us, starve_max_us, plain_accesses, preemption_bound, "
    "fibers)";
const std::string kOutcomes =
    "(expected one of: pass, violation, race, deadlock, hang, crash, error, fail)";
const std::string kParams = "(params: initial_balance, variant, ratio, verbose)";

const BadSpec kBadSpecs[] = {
    // --- the document and its top-level keys
    {"yaml_syntax",
     "plugin: bank\ncases: [\n",
     {"test.yaml:3:1: YAML syntax error: end of sequence flow not found"}},
    {"not_a_map", "- plugin\n", {"test.yaml:1:1: spec must be a map, got a list"}},
    {"empty_file", "", {"test.yaml:1:1: spec must be a map, got nothing"}},
    {"unknown_top_key",
     "plugin: bank\nplugn: bank\n" + kCases,
     {"test.yaml:2:1: unknown key 'plugn' " + kTopKeys}},
    {"duplicate_key",
     "plugin: bank\nplugin: queue\n" + kCases,
     {"test.yaml:2:1: duplicate key 'plugin'"}},
    {"bad_spec_name",
     "name: bad name\nplugin: bank\n" + kCases,
     {"test.yaml:1:7: spec name 'bad name' must match [A-Za-z0-9_.-]+"}},
    {"description_not_string",
     "description: [a]\nplugin: bank\n" + kCases,
     {"test.yaml:1:14: 'description' must be a string, got a list"}},
    {"missing_plugin", kCases, {"test.yaml:1:1: missing required key 'plugin'"}},
    {"plugin_not_string",
     "plugin: {a: 1}\n" + kCases,
     {"test.yaml:1:9: 'plugin' must be a string, got a map"}},
    {"unknown_plugin",
     "plugin: bnak\n" + kCases,
     {"test.yaml:1:9: unknown plugin 'bnak' (available: bank, queue)"}},
    {"unknown_plugin_with_problems",
     "plugin: bnak\n" + kCases,
     {"test.yaml:1:9: unknown plugin 'bnak' (available: bank, queue); 2 plugin files failed "
      "to load, see 'strain plugins'"},
     2},
    // --- cases
    {"missing_cases", "plugin: bank\n", {"test.yaml:1:1: missing required key 'cases'"}},
    {"empty_cases",
     "plugin: bank\ncases: []\n",
     {"test.yaml:2:8: 'cases' must be a non-empty list"}},
    {"cases_a_map",
     "plugin: bank\ncases:\n  a: {name: a}\n",
     {"test.yaml:3:3: 'cases' must be a non-empty list"}},
    {"case_not_a_map",
     "plugin: bank\ncases:\n  - fixed\n",
     {"test.yaml:3:5: a case must be a map, got 'fixed'"}},
    {"missing_case_name",
     "plugin: bank\ncases:\n  - expect: pass\n",
     {"test.yaml:3:5: missing required key 'name'"}},
    {"bad_case_name",
     "plugin: bank\ncases:\n  - name: a/b\n",
     {"test.yaml:3:11: case name 'a/b' must match [A-Za-z0-9_.-]+"}},
    {"case_name_empty",
     "plugin: bank\ncases:\n  - name:\n    expect: pass\n",
     {"test.yaml:3:5: case name must be a string, got nothing"}},
    {"duplicate_case_name",
     "plugin: bank\ncases:\n  - name: a\n  - name: b\n  - name: a\n",
     {"test.yaml:5:11: duplicate case name 'a' (first at line 3)"}},
    {"unknown_case_key",
     "plugin: bank\ncases:\n  - name: a\n    expected: pass\n",
     {"test.yaml:4:5: unknown key 'expected' (expected one of: name, params, schedule, fixtures, "
      "expect, invariants, show, matrix)"}},
    // --- schedule
    {"schedule_not_a_map",
     "plugin: bank\nschedule: fast\n" + kCases,
     {"test.yaml:2:11: 'schedule' must be a map"}},
    {"schedule_empty",
     "plugin: bank\nschedule:\n" + kCases,
     {"test.yaml:2:1: 'schedule' must be a map"}},
    {"unknown_schedule_key",
     "plugin: bank\nschedule: {trails: 5}\n" + kCases,
     {"test.yaml:2:12: unknown key 'trails' " + kScheduleKeys}},
    {"trials_not_int",
     "plugin: bank\nschedule:\n  trials: many\n" + kCases,
     {"test.yaml:3:11: 'trials' must be an integer >= 1, got 'many'"}},
    {"trials_zero",
     "plugin: bank\nschedule:\n  trials: 0\n" + kCases,
     {"test.yaml:3:11: 'trials' must be an integer >= 1, got '0'"}},
    {"seed_negative",
     "plugin: bank\nschedule:\n  seed: -1\n" + kCases,
     {"test.yaml:3:9: 'seed' must be an integer >= 0, got '-1'"}},
    {"budget_junk",
     "plugin: bank\nschedule:\n  budget: 5 sec\n" + kCases,
     {"test.yaml:3:11: 'budget' must be a duration > 0 (e.g. 5s, 250ms, 1.5m), got '5 sec'"}},
    {"timeout_zero",
     "plugin: bank\nschedule:\n  timeout: 0ms\n" + kCases,
     {"test.yaml:3:12: 'timeout' must be a duration > 0 (e.g. 5s, 250ms, 1.5m), got '0ms'"}},
    {"topology_unknown",
     "plugin: bank\nschedule:\n  topology: fibers\n" + kCases,
     {"test.yaml:3:13: 'topology' must be one of: threads, processes; got 'fibers'"}},
    {"time_scale_negative",
     "plugin: bank\nschedule:\n  time_scale: -0.5\n" + kCases,
     {"test.yaml:3:15: 'time_scale' must be a number in [0, 1000], got '-0.5'"}},
    {"strategy_unknown_name",
     "plugin: bank\nschedule:\n  strategy: pct\n" + kCases,
     {"test.yaml:3:13: 'strategy' must be one of: none, random, chaos, controlled; got 'pct'"}},
    {"strategy_map_unknown_name",
     "plugin: bank\nschedule:\n  strategy: {name: pct}\n" + kCases,
     {"test.yaml:3:20: 'name' must be one of: none, random, chaos, controlled; got 'pct'"}},
    {"strategy_list",
     "plugin: bank\nschedule:\n  strategy: [random]\n" + kCases,
     {"test.yaml:3:13: 'strategy' must be a strategy name or a map, got a list"}},
    {"strategy_unknown_key",
     "plugin: bank\nschedule:\n  strategy: {yeild_p: 0.1}\n" + kCases,
     {"test.yaml:3:14: unknown key 'yeild_p' " + kStrategyKeys}},
    {"probability_out_of_range",
     "plugin: bank\nschedule:\n  strategy: {yield_p: 1.5}\n" + kCases,
     {"test.yaml:3:23: 'yield_p' must be a number in [0, 1], got '1.5'"}},
    {"spin_iters_negative",
     "plugin: bank\nschedule:\n  strategy: {spin_iters: -3}\n" + kCases,
     {"test.yaml:3:26: 'spin_iters' must be an integer >= 0, got '-3'"}},
    {"probabilities_sum",
     "plugin: bank\nschedule:\n  strategy: {name: random, yield_p: 0.75, sleep_p: 0.5}\n" + kCases,
     {"test.yaml:3:13: strategy probabilities must sum to <= 1, got yield_p + spin_p + sleep_p "
      "= 1.25"}},
    {"pick_unknown",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, pick: bfs}\n" + kCases,
     {"test.yaml:3:38: 'pick' must be one of: random, pct, pos, portfolio, dfs; got 'bfs'"}},
    {"exhaustive_without_dfs",
     "plugin: bank\ncases:\n  - name: a\n    expect: { outcome: pass, exhaustive: true }\n",
     {"test.yaml:4:42: 'exhaustive' needs strategy controlled/dfs (the only one that can finish "
      "a search); case test/a runs under controlled/portfolio"}},
    {"exhaustive_not_a_bool",
     "plugin: bank\nschedule: {strategy: {pick: dfs}}\ncases:\n  - name: a\n"
     "    expect: { outcome: pass, exhaustive: yes }\n",
     {"test.yaml:5:42: 'exhaustive' must be true or false, got 'yes'"}},
    {"plain_accesses_unknown",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, plain_accesses: some}\n" + kCases,
     {"test.yaml:3:48: 'plain_accesses' must be one of: off, shared, all; got 'some'"}},
    {"depth_zero",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, depth: 0}\n" + kCases,
     {"test.yaml:3:39: 'depth' must be an integer >= 1, got '0'"}},
    {"steps_negative",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, steps: -5}\n" + kCases,
     {"test.yaml:3:39: 'steps' must be an integer >= 0, got '-5'"}},
    {"spin_limit_zero",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, spin_limit: 0}\n" + kCases,
     {"test.yaml:3:44: 'spin_limit' must be an integer >= 1, got '0'"}},
    {"weak_memory_not_bool",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, weak_memory: yes}\n" + kCases,
     {"test.yaml:3:45: 'weak_memory' must be true or false, got 'yes'"}},
    {"fibers_not_bool",
     "plugin: bank\nschedule:\n  strategy: {name: controlled, fibers: 1}\n" + kCases,
     {"test.yaml:3:40: 'fibers' must be true or false, got '1'"}},
    {"starve_negative",
     "plugin: bank\nschedule:\n  strategy: {name: chaos, starve_min_us: -1}\n" + kCases,
     {"test.yaml:3:42: 'starve_min_us' must be a number >= 0, got '-1'"}},
    {"starve_zero",
     "plugin: bank\nschedule:\n  strategy: {name: chaos, starve_min_us: 0}\n" + kCases,
     {"test.yaml:3:13: strategy chaos needs starve_min_us > 0 (starvation is log-uniform "
      "between the bounds), got 0"}},
    {"chaos_too_deep",
     "plugin: bank\nschedule:\n  strategy: {name: chaos, depth: 40}\n" + kCases,
     {"test.yaml:3:13: strategy chaos supports depth <= 17 (16 change points), got 40"}},
    {"starve_range_inverted",
     "plugin: bank\nschedule:\n  strategy: {name: chaos, starve_min_us: 50, starve_max_us: 5}\n" +
         kCases,
     {"test.yaml:3:13: strategy chaos needs starve_min_us <= starve_max_us, got 50 > 5"}},
    {"controlled_in_processes",
     "plugin: bank\nschedule:\n  topology: processes\n  strategy: {name: controlled}\n" + kCases,
     {"test.yaml:4:13: strategy controlled runs roles as threads only; this case has topology "
      "processes (use strategy chaos or random there)"}},
    {"controlled_in_processes_by_matrix",
     "plugin: bank\nschedule:\n  strategy: controlled\nmatrix:\n  schedule.topology: [threads, "
     "processes]\n" +
         kCases,
     {"test.yaml:3:13: strategy controlled runs roles as threads only; this case has topology "
      "processes (use strategy chaos or random there)"}},
    // --- batch
    {"batch_zero",
     "plugin: bank\nschedule:\n  batch: 0\n" + kCases,
     {"test.yaml:3:10: 'batch' must be an integer in [1, 1024], got '0'"}},
    {"batch_too_big",
     "plugin: bank\nschedule:\n  batch: 1025\n" + kCases,
     {"test.yaml:3:10: 'batch' must be an integer in [1, 1024], got '1025'"}},
    {"batch_of_too_many_contexts",
     "plugin: bank\nschedule: { strategy: none, batch: 1024, roles: { withdraw: 64 } }\n" + kCases,
     {"test.yaml:2:36: batch 1024 of 65 role instances is 66560 role contexts, past the limit "
      "of 65536 per case (lower the batch)"}},
    {"batch_under_the_default_strategy",
     "plugin: bank\nschedule:\n  batch: 8\n" + kCases,
     {"test.yaml:3:10: batch 8 needs strategy none, random or chaos; this case runs under "
      "controlled, the default when a case names none (one trial at a time)"}},
    {"batch_under_controlled",
     "plugin: bank\nschedule: { strategy: controlled }\ncases:\n  - name: a\n    schedule: { "
     "batch: 4 }\n",
     {"test.yaml:5:24: batch 4 needs strategy none, random or chaos; this case runs under "
      "controlled (one trial at a time)"}},
    {"batch_with_the_site",
     "plugin: bank\nschedule: { strategy: none, batch: 2 }\nfixtures: { site: {} }\n" + kCases,
     {"test.yaml:2:36: batch 2 cannot run with the site fixture, whose log is kept per trial "
      "(use batch: 1)"}},
    // --- roles
    {"roles_not_a_map",
     "plugin: bank\nschedule:\n  roles: 4\n" + kCases,
     {"test.yaml:3:10: 'roles' must be a map"}},
    {"unknown_role",
     "plugin: bank\nschedule:\n  roles: {withdraw: 2, refund: 1}\n" + kCases,
     {"test.yaml:3:24: unknown role 'refund' for plugin 'bank' (roles: withdraw, deposit)"}},
    {"role_count_negative",
     "plugin: bank\nschedule:\n  roles: {withdraw: -1}\n" + kCases,
     {"test.yaml:3:21: 'withdraw' must be an integer in [0, 1024] (the limit of role instances "
      "per case), got '-1'"}},
    {"roles_total_zero",
     "plugin: bank\nschedule:\n  roles: {withdraw: 0, deposit: 0}\n" + kCases,
     {"test.yaml:3:10: roles must total at least 1 instance, got 0"}},
    // --- params
    {"params_not_a_map",
     "plugin: bank\nparams: [1]\n" + kCases,
     {"test.yaml:2:9: 'params' must be a map"}},
    {"unknown_param",
     "plugin: bank\nparams: {opps: 5}\n" + kCases,
     {"test.yaml:2:10: unknown param 'opps' for plugin 'bank' " + kParams}},
    {"int_param_not_int",
     "plugin: bank\nparams: {initial_balance: abc}\n" + kCases,
     {"test.yaml:2:27: param 'initial_balance' must be an integer, got 'abc'"}},
    {"int_param_fraction",
     "plugin: bank\nparams: {initial_balance: 1.5}\n" + kCases,
     {"test.yaml:2:27: param 'initial_balance' must be an integer, got '1.5'"}},
    {"number_param",
     "plugin: bank\nparams: {ratio: half}\n" + kCases,
     {"test.yaml:2:17: param 'ratio' must be a number, got 'half'"}},
    {"bool_param",
     "plugin: bank\nparams: {verbose: yes}\n" + kCases,
     {"test.yaml:2:19: param 'verbose' must be a bool, got 'yes'"}},
    {"string_param_list",
     "plugin: bank\nparams: {variant: [fixed]}\n" + kCases,
     {"test.yaml:2:19: param 'variant' must be a string, got a list"}},
    {"param_not_allowed",
     "plugin: bank\nparams: {variant: broken}\n" + kCases,
     {"test.yaml:2:19: param 'variant' must be one of: seed, fixed, bug_unlocked; got 'broken'"}},
    {"case_param_not_allowed",
     "plugin: bank\ncases:\n  - name: a\n    params:\n      variant: broken\n",
     {"test.yaml:5:16: param 'variant' must be one of: seed, fixed, bug_unlocked; got 'broken'"}},
    // --- expect
    {"expect_unknown_outcome",
     "plugin: bank\ncases:\n  - name: a\n    expect: failed\n",
     {"test.yaml:4:13: unknown outcome 'failed' " + kOutcomes}},
    {"expect_unknown_tsan",
     "plugin: bank\ncases:\n  - name: a\n    expect: {outcome: violation, tsan: racy}\n",
     {"test.yaml:4:40: unknown outcome 'racy' " + kOutcomes}},
    {"expect_unknown_key",
     "plugin: bank\ncases:\n  - name: a\n    expect: {result: pass}\n",
     {"test.yaml:4:14: unknown key 'result' (expected one of: outcome, tsan, exhaustive)"}},
    {"expect_list",
     "plugin: bank\ncases:\n  - name: a\n    expect: [pass]\n",
     {"test.yaml:4:13: 'expect' must be an outcome or a map, got a list"}},
    // --- invariants
    {"invariants_not_list",
     "plugin: bank\ninvariants: min_balance >= 0\n" + kCases,
     {"test.yaml:2:13: 'invariants' must be a list of strings, got 'min_balance >= 0'"}},
    {"invariant_not_string",
     "plugin: bank\ninvariants:\n  - {a: 1}\n" + kCases,
     {"test.yaml:3:5: an invariant must be a string, got a map"}},
    {"invariant_unknown_name",
     "plugin: bank\ninvariants:\n  - min_balance >= minimum\n" + kCases,
     {"test.yaml:3:20: bad invariant: unknown name 'minimum' (known: initial_balance, variant, "
      "ratio, verbose, final_balance, min_balance)"}},
    {"invariant_quoted",
     "plugin: bank\ncases:\n  - name: a\n    invariants: [\"final_balance >= )\"]\n",
     {"test.yaml:4:36: bad invariant: unexpected ')'"}},
    {"invariant_single_quoted",
     "plugin: bank\ninvariants:\n  - 'min_balance >='\n" + kCases,
     {"test.yaml:3:20: bad invariant: unexpected end of expression"}},
    {"invariant_escaped_quotes",
     "plugin: bank\ninvariants:\n  - \"variant == \\\"x\\\" && nope\"\n" + kCases,
     {"test.yaml:3:26: bad invariant: unknown name 'nope' (known: initial_balance, variant, "
      "ratio, verbose, final_balance, min_balance)"}},
    {"invariant_block_scalar",
     "plugin: bank\ninvariants:\n  - >-\n    ratio >> 1\n" + kCases,
     {"test.yaml:4:12: bad invariant: unexpected '>'"}},
    // Types: params have their declared types, metrics and site facts are
    // numbers, so an invariant no trial could evaluate is rejected here.
    {"invariant_string_compared_with_number",
     "plugin: bank\ninvariants:\n  - variant < 3\n" + kCases,
     {"test.yaml:3:5: bad invariant: cannot apply '<' to string and integer in 'variant < 3'"}},
    {"invariant_string_equals_number",
     "plugin: bank\ninvariants:\n  - min_balance >= 0 && variant == 3\n" + kCases,
     {"test.yaml:3:25: bad invariant: cannot apply '==' to string and integer in 'variant == "
      "3'"}},
    {"invariant_arithmetic_on_string",
     "plugin: bank\ninvariants:\n  - final_balance - variant > 0\n" + kCases,
     {"test.yaml:3:5: bad invariant: cannot apply '-' to number and string in 'final_balance - "
      "variant'"}},
    {"invariant_arithmetic_on_boolean_in_parentheses",
     "plugin: bank\ninvariants:\n  - \"min_balance >= (verbose + 1)\"\n" + kCases,
     {"test.yaml:3:21: bad invariant: cannot apply '+' to boolean and integer in '(verbose + "
      "1)'"}},
    {"invariant_modulo_of_a_number_param",
     "plugin: bank\ncases:\n  - name: a\n    invariants: [ratio % 2 == 0]\n",
     {"test.yaml:4:18: bad invariant: cannot apply '%' to number and integer in 'ratio % 2'"}},
    {"invariant_not_of_an_integer",
     "plugin: bank\ninvariants:\n  - \"!initial_balance\"\n" + kCases,
     {"test.yaml:3:6: bad invariant: cannot apply '!' to integer in '!initial_balance'"}},
    {"invariant_and_of_a_string",
     "plugin: bank\ninvariants:\n  - verbose && variant\n" + kCases,
     {"test.yaml:3:5: bad invariant: cannot apply '&&' to boolean and string in 'verbose && "
      "variant'"}},
    {"invariant_not_a_boolean",
     "plugin: bank\ninvariants:\n  - final_balance + 1\n" + kCases,
     {"test.yaml:3:5: bad invariant: expression is not a boolean (it is a number)"}},
    {"invariant_site_fact_is_a_number",
     "plugin: bank\nfixtures: {site: {}}\ninvariants: [site_bytes == \"many\"]\n" + kCases,
     {"test.yaml:3:14: bad invariant: cannot apply '==' to number and string in 'site_bytes == "
      "\"many\"'"}},
    {"invariant_type_errors_all_reported",
     "plugin: bank\ninvariants:\n  - variant > 0\n  - -verbose < 1\n" + kCases,
     {"test.yaml:3:5: bad invariant: cannot apply '>' to string and integer in 'variant > 0'",
      "test.yaml:4:5: bad invariant: cannot apply '-' to boolean in '-verbose'"}},
    // --- show
    {"show_not_list",
     "plugin: bank\nshow: final_balance\n" + kCases,
     {"test.yaml:2:7: 'show' must be a list of metric names, got 'final_balance'"}},
    {"show_entry_not_name",
     "plugin: bank\nshow:\n  - {a: 1}\n" + kCases,
     {"test.yaml:3:5: a 'show' entry must be a metric name, got a map"}},
    {"show_unknown_metric",
     "plugin: bank\nshow: [min_balance, speedup]\n" + kCases,
     {"test.yaml:2:21: unknown metric 'speedup' for plugin 'bank' (metrics: final_balance, "
      "min_balance)"}},
    {"show_param_is_not_a_metric",
     "plugin: bank\ncases:\n  - name: a\n    show: [ratio]\n",
     {"test.yaml:4:12: unknown metric 'ratio' for plugin 'bank' (metrics: final_balance, "
      "min_balance)"}},
    {"show_twice",
     "plugin: bank\nshow:\n  - min_balance\n  - final_balance\n  - min_balance\n" + kCases,
     {"test.yaml:5:5: metric 'min_balance' is listed twice in 'show'"}},
    {"show_plugin_without_metrics",
     "plugin: queue\nshow: [x]\n" + kCases,
     {"test.yaml:2:8: unknown metric 'x' for plugin 'queue' (metrics: none)"}},
    // --- matrix
    {"matrix_not_map",
     "plugin: bank\nmatrix: [1, 2]\n" + kCases,
     {"test.yaml:2:9: 'matrix' must be a map"}},
    {"matrix_bad_key",
     "plugin: bank\nmatrix:\n  roles.withdraw: [1]\n" + kCases,
     {"test.yaml:3:3: bad matrix key 'roles.withdraw' (expected params.<param>, schedule.<key>, "
      "schedule.roles.<role> or schedule.strategy.<key>)"}},
    {"matrix_unknown_schedule_key",
     "plugin: bank\nmatrix:\n  schedule.trails: [1]\n" + kCases,
     {"test.yaml:3:3: unknown key 'trails' in matrix key 'schedule.trails' " + kScheduleKeys}},
    {"matrix_unknown_strategy_key",
     "plugin: bank\nmatrix:\n  schedule.strategy.p: [1]\n" + kCases,
     {"test.yaml:3:3: unknown key 'p' in matrix key 'schedule.strategy.p' " + kStrategyKeys}},
    {"matrix_unknown_param",
     "plugin: bank\nmatrix:\n  params.opps: [1]\n" + kCases,
     {"test.yaml:3:3: unknown param 'opps' for plugin 'bank' " + kParams}},
    {"matrix_unknown_role",
     "plugin: bank\nmatrix:\n  schedule.roles.refund: [1]\n" + kCases,
     {"test.yaml:3:3: unknown role 'refund' for plugin 'bank' (roles: withdraw, deposit)"}},
    {"matrix_empty_values",
     "plugin: bank\nmatrix:\n  params.ratio: []\n" + kCases,
     {"test.yaml:3:17: 'params.ratio' must be a non-empty list"}},
    {"matrix_scalar_values",
     "plugin: bank\nmatrix:\n  params.ratio: 0.5\n" + kCases,
     {"test.yaml:3:17: 'params.ratio' must be a non-empty list"}},
    {"matrix_bad_value",
     "plugin: bank\nmatrix:\n  schedule.roles.withdraw: [1, x]\n" + kCases,
     {"test.yaml:3:32: 'withdraw' must be an integer in [0, 1024] (the limit of role instances "
      "per case), got 'x'"}},
    {"case_matrix_bad_value",
     "plugin: bank\ncases:\n  - name: a\n    matrix:\n      params.variant: [fixed, oops]\n",
     {"test.yaml:5:31: param 'variant' must be one of: seed, fixed, bug_unlocked; got 'oops'"}},
    {"matrix_roles_total_zero",
     "plugin: bank\nschedule:\n  roles: {deposit: 0}\nmatrix:\n  schedule.roles.withdraw: [1, "
     "0]\n" +
         kCases,
     {"test.yaml:5:32: roles must total at least 1 instance, got 0"}},
    // --- fixtures
    {"fixtures_not_a_map",
     "plugin: bank\nfixtures: site\n" + kCases,
     {"test.yaml:2:11: 'fixtures' must be a map, got 'site'"}},
    {"unknown_fixture",
     "plugin: bank\nfixtures: {database: {}}\n" + kCases,
     {"test.yaml:2:12: unknown key 'database' (expected one of: site)"}},
    {"site_not_a_map",
     "plugin: bank\nfixtures: {site: 5}\n" + kCases,
     {"test.yaml:2:18: 'site' must be a map of options, got '5'"}},
    {"unknown_site_option",
     "plugin: bank\nfixtures:\n  site: {pagez: 3}\n" + kCases,
     {"test.yaml:3:10: unknown key 'pagez' (expected one of: pages, links_per_page, latency_ms, "
      "error_rate, faults, offsite_rate, broken_rate, page_bytes, seed)"}},
    {"site_pages_zero",
     "plugin: bank\nfixtures:\n  site: {pages: 0}\n" + kCases,
     {"test.yaml:3:17: 'pages' must be an integer in [1, 100000], got '0'"}},
    {"site_links_not_int",
     "plugin: bank\nfixtures:\n  site: {links_per_page: many}\n" + kCases,
     {"test.yaml:3:26: 'links_per_page' must be an integer in [0, 1000], got 'many'"}},
    {"site_latency_reversed",
     "plugin: bank\nfixtures:\n  site: {latency_ms: [20, 1]}\n" + kCases,
     {"test.yaml:3:22: 'latency_ms' must be [min, max] with min <= max, got [20, 1]"}},
    {"site_latency_negative",
     "plugin: bank\nfixtures:\n  site: {latency_ms: [-1, 5]}\n" + kCases,
     {"test.yaml:3:23: 'latency_ms' must be a number in [0, 60000] or a list [min, max] of them, "
      "got '-1'"}},
    {"site_latency_three",
     "plugin: bank\nfixtures:\n  site: {latency_ms: [1, 2, 3]}\n" + kCases,
     {"test.yaml:3:22: 'latency_ms' must be a number in [0, 60000] or a list [min, max] of them, "
      "got a list"}},
    {"site_error_rate_above_one",
     "plugin: bank\nfixtures:\n  site: {error_rate: 1.5}\n" + kCases,
     {"test.yaml:3:22: 'error_rate' must be a number in [0, 1], got '1.5'"}},
    {"site_unknown_fault",
     "plugin: bank\nfixtures:\n  site: {faults: [\"500\", timeout]}\n" + kCases,
     {"test.yaml:3:26: unknown fault 'timeout' (expected one of: 500, slow, drop)"}},
    {"site_faults_not_list",
     "plugin: bank\nfixtures:\n  site: {faults: drop}\n" + kCases,
     {"test.yaml:3:18: 'faults' must be a list of: 500, slow, drop; got 'drop'"}},
    {"site_seed_negative",
     "plugin: bank\nfixtures:\n  site: {seed: -7}\n" + kCases,
     {"test.yaml:3:16: 'seed' must be an integer >= 0, got '-7'"}},
    {"site_page_bytes_too_big",
     "plugin: bank\nfixtures:\n  site: {page_bytes: [10, 2000000]}\n" + kCases,
     {"test.yaml:3:27: 'page_bytes' must be an integer in [0, 1000000] or a list [min, max] of "
      "them, got '2000000'"}},
    {"site_rates_sum_above_one",
     "plugin: bank\nfixtures:\n  site: {offsite_rate: 0.6}\ncases:\n  - name: a\n"
     "    fixtures: {site: {broken_rate: 0.5}}\n",
     {"test.yaml:6:16: site: offsite_rate + broken_rate must be <= 1, got 1.1"}},
    {"case_fixture_error",
     "plugin: bank\ncases:\n  - name: a\n    fixtures: {site: {pages: x}}\n",
     {"test.yaml:4:30: 'pages' must be an integer in [1, 100000], got 'x'"}},
    {"site_fact_without_site",
     "plugin: bank\ncases:\n  - name: a\n    invariants: [site_requests == 1]\n"
     "  - name: b\n    fixtures: {site: {}}\n    invariants: [site_requests == 1]\n",
     {"test.yaml:4:18: invariant uses 'site_requests', which needs the site fixture: add "
      "'fixtures: { site: {} }' to the spec or the case"}},
    {"site_fact_in_spec_without_fixtures",
     "plugin: bank\ninvariants: [site_bytes > 0]\n" + kCases,
     {"test.yaml:2:14: bad invariant: unknown name 'site_bytes' (known: initial_balance, variant, "
      "ratio, verbose, final_balance, min_balance)"}},
    // --- several errors: all reported, in file order
    {"three_errors",
     "plugin: bank\n"
     "params: {variant: broken}\n"
     "schedule:\n"
     "  trials: many\n"
     "cases:\n"
     "  - name: a\n"
     "    expect: failed\n",
     {"test.yaml:2:19: param 'variant' must be one of: seed, fixed, bug_unlocked; got 'broken'",
      "test.yaml:4:11: 'trials' must be an integer >= 1, got 'many'",
      "test.yaml:7:13: unknown outcome 'failed' " + kOutcomes}},
    {"errors_found_out_of_order",
     "cases: []\n"
     "name: -bad name-\n"
     "plugin: nope\n",
     {"test.yaml:1:8: 'cases' must be a non-empty list",
      "test.yaml:2:7: spec name '-bad name-' must match [A-Za-z0-9_.-]+",
      "test.yaml:3:9: unknown plugin 'nope' (available: bank, queue)"}},
    {"shared_error_reported_once",
     "plugin: bank\nparams: {ratio: x}\ncases:\n  - name: a\n  - name: b\n",
     {"test.yaml:2:17: param 'ratio' must be a number, got 'x'"}},
};

class SpecErrorsTest : public ::testing::TestWithParam<BadSpec> {};

TEST_P(SpecErrorsTest, ReportsExactDiagnostics) {
  const BadSpec& s = GetParam();
  EXPECT_EQ(errors_of(s.yaml, s.problems), s.errors) << s.yaml;
}

INSTANTIATE_TEST_SUITE_P(All, SpecErrorsTest, ::testing::ValuesIn(kBadSpecs),
                         [](const auto& info) { return std::string(info.param.what); });

TEST(SpecErrorTest, WhatJoinsDiagnosticsByLine) {
  const SpecError e(
      {Diagnostic{{"a.yaml", 1, 2}, "first"}, Diagnostic{{"a.yaml", 3, 4}, "second"}});
  EXPECT_STREQ(e.what(), "a.yaml:1:2: first\na.yaml:3:4: second");
  ASSERT_EQ(e.diagnostics().size(), 2u);
}

TEST(SpecErrorTest, WellTypedInvariantsAndRunTimeErrorsPass) {
  // Types that agree pass, and what only values decide (a division by zero,
  // a metric that may or may not be an integer under %) is left to the run.
  EXPECT_EQ(errors_of("plugin: bank\ninvariants:\n"
                      "  - variant == \"seed\" || final_balance / 0 >= ratio * 2\n"
                      "  - verbose == false && !(min_balance % 2 == 1) && -initial_balance < 0\n" +
                      kCases),
            std::vector<std::string>{});
}

TEST(SpecErrorTest, UnknownPluginStillChecksStructure) {
  // The plugin's own error must not hide the file's other mistakes.
  EXPECT_EQ(
      errors_of("plugin: nope\nschedule: {trials: 0}\ncases: []\n"),
      (std::vector<std::string>{"test.yaml:1:9: unknown plugin 'nope' (available: bank, queue)",
                                "test.yaml:2:20: 'trials' must be an integer >= 1, got '0'",
                                "test.yaml:3:8: 'cases' must be a non-empty list"}));
}

}  // namespace
}  // namespace strain::spec
