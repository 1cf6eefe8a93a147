#pragma once
// What the host knows of a loaded scenario, in host types: a copy of the
// plugin's descriptor plus the handle that keeps its library loaded.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "check/value.hpp"
#include "plugin/module_tls.hpp"
#include "runtime/abi_types.hpp"

namespace strain::plugin {

struct ParamInfo {
  std::string name;
  std::string doc;
  ParamType type = ParamType::integer;
  check::Value default_value;
  std::vector<check::Value> allowed;  // empty: any value of the type
};

struct RoleInfo {
  std::string name;
  std::string doc;
  std::uint32_t min_instances = 1;  // the role's declared minimum (and default) count
};

struct MetricInfo {
  std::string name;
  std::string doc;
};

//! A scenario found in a plugin library.
struct ScenarioInfo {
  std::string name;
  std::string doc;
  std::string library_path;
  std::vector<ParamInfo> params;
  std::vector<RoleInfo> roles;
  std::vector<MetricInfo> metrics;
  //! The plugin's own descriptor; valid while `library` lives. Null for
  //! scenarios made up by tests.
  const detail::ScenarioDescriptor* desc = nullptr;
  //! Keeps the library loaded for as long as anything refers to the scenario
  //! (STYLE.md, point 2).
  std::shared_ptr<void> library;
  //! The thread_local data its library brought (module_tls.hpp).
  ThreadLocals thread_locals;

  const ParamInfo* find_param(std::string_view n) const;
  int role_index(std::string_view n) const;  // -1 when absent
  const MetricInfo* find_metric(std::string_view n) const;
};

//! A plugin file that could not be used, and why.
struct LoadProblem {
  std::string path;
  std::string message;
};

//! Every scenario found on the plugin path, and every file skipped.
struct Catalog {
  std::vector<ScenarioInfo> scenarios;
  std::vector<LoadProblem> problems;
  //! Files that crashed, exited or hung while being probed (probe.hpp): a
  //! worker the host starts skips them without probing again.
  std::vector<std::string> unsafe;

  const ScenarioInfo* find(std::string_view name) const;
};

//! The name of a param type as specs and listings spell it.
std::string_view to_string(ParamType t) noexcept;

}  // namespace strain::plugin
