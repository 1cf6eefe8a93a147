#pragma once
// The settings of a spec (params, schedule, matrix) as parsed once from the
// YAML and applied per case point in resolution order; the matrix's axes
// and their cartesian product.

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "check/value.hpp"
#include "plugin/scenario_info.hpp"
#include "spec/diagnostic.hpp"
#include "spec/spec.hpp"
#include "spec/yaml_read.hpp"

namespace strain::spec::detail {

//! What one case point resolves to, plus where the parts that are checked
//! only once resolved (role total, strategy probabilities) were last set.
struct Resolved {
  std::vector<check::Value> params;  // parallel to the scenario's params
  Schedule schedule;
  SourceLoc roles_loc;
  SourceLoc strategy_loc;
  SourceLoc batch_loc;
  // Which strategy settings some level wrote, for the default strategy of a
  // case that names none (spec/default_strategy.hpp).
  bool strategy_named = false, pick_named = false, weak_memory_named = false;
};

//! One validated setting (a param, a schedule key, a role count, ...).
using Assign = std::function<void(Resolved&)>;

//! One value of a matrix axis: its text for labels and what it sets.
struct MatrixValue {
  std::string text;
  Assign assign;
};

struct MatrixAxis {
  std::string key;    // the dotted key as written
  std::string label;  // what the case id shows for it
  std::vector<MatrixValue> values;
  SourceLoc loc;  // of its key
};

//! Parses the settings sections against a scenario (null when the plugin is
//! unknown: params and roles are then not checked), reporting every error.
class Settings {
 public:
  Settings(Diagnostics& diags, const plugin::ScenarioInfo* scenario)
      : diags_(diags), scenario_(scenario) {}
  void params(const YAML::Node& n, std::vector<Assign>& out);
  void schedule(const YAML::Node& n, std::vector<Assign>& out);
  //! The axes in key order, labelled; empty if any part of it is wrong.
  std::vector<MatrixAxis> matrix(const YAML::Node& n);

 private:
  struct Target;
  std::optional<Target> param_target(const std::string& name, const YAML::Node& at);
  std::optional<Target> role_target(const std::string& name, const YAML::Node& at);
  std::optional<Target> matrix_target(const std::string& key, const YAML::Node& at);
  std::optional<Assign> convert(const Target& t, const YAML::Node& v);
  //! What a matrix value sets, as text equal for equal settings.
  std::string canonical(const Target& t, const YAML::Node& v) const;
  std::optional<Assign> param(const Target& t, const YAML::Node& v);
  std::optional<Assign> role(const Target& t, const YAML::Node& v);
  std::optional<Assign> schedule_key(const std::string& key, const YAML::Node& v);
  std::optional<Assign> batch(const YAML::Node& v);
  std::optional<Assign> strategy_key(const std::string& key, const YAML::Node& v);

  Diagnostics& diags_;
  const plugin::ScenarioInfo* scenario_;
};

//! Gives each axis its label: the key's last component, or the whole key
//! when another axis shares that last component.
void label_axes(std::vector<MatrixAxis>& axes);

//! Every point of the product, the first axis varying slowest; a point holds
//! one value index per axis. No axes: one empty point.
std::vector<std::vector<std::size_t>> matrix_points(const std::vector<MatrixAxis>& axes);

}  // namespace strain::spec::detail
