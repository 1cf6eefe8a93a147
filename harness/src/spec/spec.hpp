#pragma once
// A validated spec: the cases a spec file expands into, ready to run.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/expr.hpp"
#include "model/outcome.hpp"
#include "check/value.hpp"
#include "fixtures/site_options.hpp"
#include "plugin/scenario_info.hpp"
#include "spec/diagnostic.hpp"

namespace strain::spec {

enum class Topology { threads, processes };

//! How schedule points perturb or steer the run.
struct Strategy {
  std::string name = "none";  // none | random | chaos | controlled
  // random: at each point, with these probabilities, yield, spin or sleep.
  // chaos: the lowest-priority thread yields at a point with probability
  // yield_p (the others proportionally less).
  double yield_p = 0.0;           // probability of sched_yield at a point
  double spin_p = 0.0;            // random: probability of a busy spin
  double sleep_p = 0.0;           // random: probability of a short sleep
  std::int64_t spin_iters = 200;  // random: length of a spin, in pause instructions
  double sleep_us = 20.0;         // random: length of a sleep, in microseconds
  // controlled: how the next thread is picked at each point.
  std::string pick = "pct";  // random | pct | pos
  // controlled/pct and chaos: the bug depth d, i.e. d - 1 change points.
  std::int64_t depth = 3;
  // chaos keeps its change points in a fixed array per thread (no
  // allocation on the hot path), so its depth has a ceiling.
  static constexpr std::int64_t kChaosMaxDepth = 17;
  // controlled/pct: the number of steps k the change points are spread over;
  // 0: learned from the earlier trials of the case.
  std::int64_t steps = 0;
  // controlled: relaxed and acquire loads of strain::Atomic may return older
  // values the C++ memory model allows.
  bool weak_memory = false;
  // controlled, plugins built with INSTRUMENT: which plain (non-atomic)
  // memory accesses are schedule points. off | shared (an address a second
  // thread of the case touched, learned across its trials) | all.
  std::string plain_accesses = "shared";
  // controlled: points a thread may pass in a row while others could run
  // before it is demoted as a spin loop.
  std::int64_t spin_limit = 1000;
  // chaos: a starved thread sleeps a log-uniform time in this range.
  double starve_min_us = 1.0;
  double starve_max_us = 1000.0;
};

struct Schedule {
  Topology topology = Topology::threads;
  std::vector<int> role_counts;  // parallel to the scenario's roles; default 1
  std::uint64_t trials = 1000;
  double budget_s = 10.0;   // wall-clock cap of a case
  double timeout_s = 10.0;  // per-trial watchdog
  Strategy strategy;
  std::uint64_t seed = 1;
  double time_scale = 1.0;  // factor on Context::sleep()
};

//! What a case must show, per build: the plain and the tsan build.
struct Expectation {
  model::Outcome plain = model::Outcome::pass;
  model::Outcome tsan = model::Outcome::pass;
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
};

struct Spec {
  std::string path;
  std::string name;  // `name:` or the file's stem
  std::string plugin;
  std::string description;
  std::vector<Case> cases;
};

}  // namespace strain::spec
