#pragma once
// The settings of a spec (params, schedule, matrix) as parsed once from the
// YAML and applied per case point in resolution order; the matrix's axes
// and their cartesian product; and the diagnostics sink both files share.

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

namespace strain::spec::detail {

//! Collects the errors of one file, each once.
class Diagnostics {
 public:
  explicit Diagnostics(std::string path) : path_(std::move(path)) {}
  SourceLoc loc(const YAML::Mark& m) const;
  //! Where a node is; an empty value is placed at its key (yaml-cpp marks it
  //! at whatever token comes next, often on a later line).
  SourceLoc loc(const YAML::Node& n) const;
  //! Records the key of an empty value, for loc().
  void note_key(const YAML::Node& key, const YAML::Node& value);
  void error(const SourceLoc& at, std::string message);
  void error(const YAML::Mark& at, std::string message) { error(loc(at), std::move(message)); }
  void error(const YAML::Node& at, std::string message) { error(loc(at), std::move(message)); }
  bool empty() const { return diags_.empty(); }
  //! Every error, in file order.
  std::vector<Diagnostic> take();

 private:
  std::string path_;
  std::vector<Diagnostic> diags_;
  std::set<std::string> seen_;
  std::vector<std::pair<YAML::Node, YAML::Mark>> empty_values_;
};

//! How a message quotes a value it was given: 'text', a map, a list, nothing.
std::string got(const YAML::Node& n);

//! A scalar's integer value, converted from its text by hand rather than
//! with Node::as<>, so that what is accepted is exactly what the messages
//! promise (as<> takes "0x10" for an int, for one). Nothing when it is not
//! an integer of type T.
template <typename T>
std::optional<T> to_integer(const YAML::Node& n) {
  if (!n.IsScalar() || n.Scalar().empty()) return std::nullopt;
  const std::string& s = n.Scalar();
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

//! A scalar's finite number value, likewise.
std::optional<double> to_number(const YAML::Node& n);

//! "a, b, c".
std::string join(std::span<const std::string_view> items);

//! The entries of a map with scalar, unique keys and, when `known` is not
//! empty, only known keys; the others are reported and dropped.
std::vector<std::pair<YAML::Node, YAML::Node>> entries(
    Diagnostics& diags, const YAML::Node& map, std::span<const std::string_view> known = {});

//! What one case point resolves to, plus where the parts that are checked
//! only once resolved (role total, strategy probabilities) were last set.
struct Resolved {
  std::vector<check::Value> params;  // parallel to the scenario's params
  Schedule schedule;
  SourceLoc roles_loc;
  SourceLoc strategy_loc;
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
