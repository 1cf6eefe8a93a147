#include "plugin/scenario_info.hpp"

namespace strain::plugin {

const ParamInfo* ScenarioInfo::find_param(std::string_view n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

int ScenarioInfo::role_index(std::string_view n) const {
  for (std::size_t k = 0; k < roles.size(); ++k)
    if (roles[k].name == n) return static_cast<int>(k);
  return -1;
}

const MetricInfo* ScenarioInfo::find_metric(std::string_view n) const {
  for (const auto& m : metrics)
    if (m.name == n) return &m;
  return nullptr;
}

const ScenarioInfo* Catalog::find(std::string_view name) const {
  for (const auto& s : scenarios)
    if (s.name == name) return &s;
  return nullptr;
}

std::string_view to_string(ParamType t) noexcept {
  switch (t) {
    case ParamType::integer:
      return "int";
    case ParamType::number:
      return "number";
    case ParamType::boolean:
      return "bool";
    case ParamType::string:
      return "string";
  }
  return "?";
}

}  // namespace strain::plugin
