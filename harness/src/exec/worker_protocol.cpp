#include "exec/worker_protocol.hpp"

#include <nlohmann/json.hpp>

namespace strain::exec {

namespace {

using nlohmann::json;

json to_json(const TrialFailure& f) {
  return {{"trial", f.trial},      {"seed", f.seed}, {"outcome", check::to_string(f.outcome)},
          {"message", f.message},  {"at_s", f.at_s}, {"replay", f.replay},
          {"schedule", f.schedule}};
}

TrialFailure failure_from(const json& j) {
  TrialFailure f;
  f.trial = j.at("trial").get<std::uint64_t>();
  f.seed = j.at("seed").get<std::uint64_t>();
  f.outcome = check::outcome_from_string(j.at("outcome").get<std::string>())
                  .value_or(check::Outcome::error);
  f.message = j.at("message").get<std::string>();
  f.at_s = j.at("at_s").get<double>();
  f.replay = j.at("replay").get<std::string>();
  f.schedule = j.value("schedule", "");
  return f;
}

std::string line(const json& j) {
  // Replace invalid UTF-8 rather than throw: a plugin's message may hold any bytes.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string encode_failure(const TrialFailure& f) {
  return line({{"type", "failure"}, {"failure", to_json(f)}});
}

std::string encode_result(const CaseResult& r) {
  json outcomes = json::array();
  for (auto n : r.outcomes) outcomes.push_back(n);
  json j = {{"trials", r.trials},         {"elapsed_s", r.elapsed_s}, {"outcomes", outcomes},
            {"stopped_by", r.stopped_by}, {"note", r.note},           {"met", r.met},
            {"schedules", r.schedules}};
  j["first_failure"] = r.first_failure ? to_json(*r.first_failure) : json(nullptr);
  // A list of [name, value] pairs: an object would reorder the names.
  json metrics = json::array();
  for (const auto& [name, value] : r.metrics) metrics.push_back(json::array({name, value}));
  j["metrics"] = metrics;
  // [name, count, mean, min, max] per shown metric, in the spec's order.
  json measured = json::array();
  for (const auto& m : r.measured)
    measured.push_back(json::array({m.name, m.count, m.mean, m.min, m.max}));
  j["measured"] = measured;
  return line({{"type", "result"}, {"result", j}});
}

bool decode(std::string_view text, WorkerMessage& out) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("type")) return false;
  try {
    if (j["type"] == "failure") {
      out.type = WorkerMessage::Type::failure;
      out.failure = failure_from(j.at("failure"));
      return true;
    }
    if (j["type"] == "result") {
      const json& r = j.at("result");
      out.type = WorkerMessage::Type::result;
      out.result.trials = r.at("trials").get<std::uint64_t>();
      out.result.elapsed_s = r.at("elapsed_s").get<double>();
      const json& o = r.at("outcomes");
      for (std::size_t k = 0; k < check::kOutcomeCount && k < o.size(); ++k)
        out.result.outcomes[k] = o[k].get<std::uint64_t>();
      out.result.stopped_by = r.at("stopped_by").get<std::string>();
      out.result.note = r.at("note").get<std::string>();
      out.result.met = r.at("met").get<bool>();
      out.result.schedules = r.value("schedules", std::uint64_t{0});
      if (!r.at("first_failure").is_null())
        out.result.first_failure = failure_from(r.at("first_failure"));
      for (const auto& m : r.value("metrics", json::array()))
        out.result.metrics.emplace_back(m.at(0).get<std::string>(), m.at(1).get<double>());
      for (const auto& m : r.value("measured", json::array()))
        out.result.measured.push_back({m.at(0).get<std::string>(), m.at(1).get<std::uint64_t>(),
                                       m.at(2).get<double>(), m.at(3).get<double>(),
                                       m.at(4).get<double>()});
      return true;
    }
  } catch (const json::exception&) {
    return false;
  }
  return false;
}

}  // namespace strain::exec
