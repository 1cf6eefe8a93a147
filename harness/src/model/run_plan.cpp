#include "model/run_plan.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

namespace strain::model {

namespace {

using Json = nlohmann::json;

template <class T>
void put(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

// Whether `v` holds a T exactly: nlohmann's get<>() converts -1 to a huge
// unsigned and 5.5e51 to an integer (undefined behaviour), where a plan
// that says so is wrong.
template <class T>
bool holds(const Json& v) {
  if constexpr (std::is_same_v<T, bool>)
    return v.is_boolean();
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return v.is_number_unsigned();
  else if constexpr (std::is_same_v<T, int>)
    return v.is_number_integer();
  else if constexpr (std::is_floating_point_v<T>)
    return v.is_number();
  else if constexpr (std::is_same_v<T, std::string>)
    return v.is_string();
  else {
    if (!v.is_array()) return false;
    for (const auto& e : v)
      if (!e.is_string()) return false;
    return true;
  }
}

template <class T>
void take(const Json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;  // absent: the default
  if (!holds<T>(*it))
    throw std::runtime_error(std::string("run plan: '") + key + "' has the wrong type");
  out = it->get<T>();
}

template <class T>
void take(const Json& j, const char* key, std::optional<T>& out) {
  if (!j.contains(key)) return;
  T v{};
  take(j, key, v);
  out = v;
}

}  // namespace

std::string to_json(const RunPlan& p) {
  Json j{{"spec_path", p.spec_path},           {"case_id", p.case_id},
         {"plugin_file", p.plugin_file},       {"seed", p.seed},
         {"strategy_flag", p.strategy_flag},   {"intensity", p.intensity},
         {"keep_going", p.keep_going},         {"repeat", p.repeat},
         {"first_trial", p.first_trial},       {"trace_in", p.trace_in},
         {"trace_out", p.trace_out},           {"tsan_build", p.tsan_build},
         {"command_prefix", p.command_prefix}, {"fibers_flag", p.fibers_flag}};
  put(j, "only_trial", p.only_trial);
  put(j, "budget_s", p.budget_s);
  put(j, "steps", p.steps);
  // Replace, not throw, on bytes that are not UTF-8 (a path is any bytes).
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

RunPlan run_plan_from_json(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::runtime_error(std::string("run plan: not JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::runtime_error("run plan: not a JSON object");
  RunPlan p;
  take(j, "spec_path", p.spec_path);
  take(j, "case_id", p.case_id);
  take(j, "plugin_file", p.plugin_file);
  take(j, "seed", p.seed);
  take(j, "strategy_flag", p.strategy_flag);
  take(j, "fibers_flag", p.fibers_flag);
  take(j, "intensity", p.intensity);
  take(j, "keep_going", p.keep_going);
  take(j, "only_trial", p.only_trial);
  take(j, "repeat", p.repeat);
  take(j, "first_trial", p.first_trial);
  take(j, "budget_s", p.budget_s);
  take(j, "steps", p.steps);
  take(j, "trace_in", p.trace_in);
  take(j, "trace_out", p.trace_out);
  take(j, "tsan_build", p.tsan_build);
  take(j, "command_prefix", p.command_prefix);
  if (p.case_id.empty() || p.spec_path.empty())
    throw std::runtime_error("run plan: no spec_path or case_id");
  return p;
}

}  // namespace strain::model
