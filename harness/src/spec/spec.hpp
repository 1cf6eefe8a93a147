#pragma once
// A validated spec: the cases a spec file expands into, ready to run.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/expr.hpp"
#include "check/value.hpp"
#include "fixtures/site_options.hpp"
#include "model/outcome.hpp"
#include "model/strategy.hpp"
#include "plugin/scenario_info.hpp"
#include "spec/diagnostic.hpp"

namespace strain::spec {

enum class Topology { threads, processes };

//! How schedule points perturb or steer the run (model/strategy.hpp).
using model::Strategy;

struct Schedule {
  Topology topology = Topology::threads;
  std::vector<int> role_counts;  // parallel to the scenario's roles; default 1
  std::uint64_t trials = 1000;
  double budget_s = 10.0;   // wall-clock cap of a case
  double timeout_s = 10.0;  // per-trial watchdog
  Strategy strategy;
  std::uint64_t seed = 1;
  double time_scale = 1.0;  // factor on Context::sleep()
  //! Trials each start of the thread team runs, one after another in every
  //! role, each on its own state (as jcstress does); 1: one trial a start.
  std::uint32_t batch = 1;
};

//! What a case must show, per build: the plain and the tsan build.
struct Expectation {
  model::Outcome plain = model::Outcome::pass;
  model::Outcome tsan = model::Outcome::pass;
  bool exhaustive = false;  // met only by a complete controlled/dfs search
  SourceLoc exhaustive_loc;
  model::Outcome for_build(bool tsan_build) const { return tsan_build ? tsan : plain; }
};

struct Invariant {
  std::string text;
  SourceLoc loc;
  check::Expr expr;  // indices into Case::names
};

//! A metric the reports show for a case, aggregated over its trials.
struct Shown {
  std::string name;
  std::size_t metric = 0;  // index into the scenario's metrics
};

//! One point of the matrix of one case entry of a spec.
struct Case {
  std::string id;         // "<spec>/<case>" or "<spec>/<case>/<k=v,...>"
  std::string spec_name;  // the spec's name
  std::string spec_path;  // the file it came from
  std::string case_name;
  std::vector<std::pair<std::string, std::string>> matrix;  // (key label, value)
  std::string plugin;
  const plugin::ScenarioInfo* scenario = nullptr;  // owned by the catalog
  std::vector<check::Value> params;                // parallel to scenario->params
  Schedule schedule;
  Expectation expect;
  std::vector<Invariant> invariants;
  //! The loopback site the case runs against (`fixtures: { site: ... }`).
  std::optional<fixtures::SiteOptions> site;
  //! Metrics to aggregate over the trials and show in the reports (`show:`).
  std::vector<Shown> show;
  //! The names invariants may use, in index order: every param of the
  //! scenario (declaration order), then every metric, then, when the spec
  //! uses the site fixture, the site's facts (fixtures/site_facts.hpp).
  std::vector<std::string> names;
  SourceLoc loc;
  //! The run's --strategy, when it replaced the spec's (replay lines repeat
  //! it); empty otherwise.
  std::string strategy_flag;
  //! The run's --fibers turned schedule.strategy.fibers on (replay lines
  //! repeat it).
  int fibers_flag = 0;  // 1: --fibers, -1: --no-fibers
  //! The strategy is the default (the spec named none, or --strategy
  //! default): a case the controlled scheduler cannot steer then runs again
  //! under chaos (exec/case_launch).
  bool strategy_defaulted = false;
};

struct Spec {
  std::string path;
  std::string name;  // `name:` or the file's stem
  std::string plugin;
  std::string description;
  std::vector<Case> cases;
};

}  // namespace strain::spec
