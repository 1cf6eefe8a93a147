#include "exec/worker_protocol.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace strain::exec {

namespace {

using nlohmann::json;

// JSON has no NaN or infinity, and nlohmann writes them as null, which then
// failed to read back: a NaN metric lost the whole result and the parent
// blamed exit() for it with a phantom trial (issue 13). They travel as
// strings instead.
json num(double d) {
  if (std::isfinite(d)) return d;
  if (std::isnan(d)) return "nan";
  return d > 0 ? "inf" : "-inf";
}

double num_from(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

json to_json(const model::TrialFailure& f) {
  return {{"trial", f.trial},      {"seed", f.seed},      {"outcome", model::to_string(f.outcome)},
          {"message", f.message},  {"at_s", num(f.at_s)}, {"replay", f.replay},
          {"schedule", f.schedule}};
}

// An unsigned integer, or an exception: get<std::uint64_t>() of a float out
// of range is undefined behaviour (found by worker_protocol_fuzz).
std::uint64_t u64(const json& j) {
  if (!j.is_number_unsigned()) throw std::invalid_argument("not an unsigned integer");
  return j.get<std::uint64_t>();
}

model::TrialFailure failure_from(const json& j) {
  model::TrialFailure f;
  f.trial = u64(j.at("trial"));
  f.seed = u64(j.at("seed"));
  f.outcome = model::outcome_from_string(j.at("outcome").get<std::string>())
                  .value_or(model::Outcome::error);
  f.message = j.at("message").get<std::string>();
  f.at_s = num_from(j.at("at_s"));
  f.replay = j.at("replay").get<std::string>();
  f.schedule = j.value("schedule", "");
  return f;
}

std::string line(const json& j) {
  // Replace invalid UTF-8 rather than throw: a plugin's message may hold any bytes.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string encode_failure(const model::TrialFailure& f) {
  return line({{"type", "failure"}, {"failure", to_json(f)}});
}

std::string encode_result(const model::CaseResult& r) {
  json outcomes = json::array();
  for (auto n : r.outcomes) outcomes.push_back(n);
  json j = {{"trials", r.trials},       {"elapsed_s", num(r.elapsed_s)},
            {"outcomes", outcomes},     {"stopped_by", model::to_string(r.stopped_by)},
            {"note", r.note},           {"met", r.met},
            {"schedules", r.schedules}, {"unsteerable", r.unsteerable}};
  j["first_failure"] = r.first_failure ? to_json(*r.first_failure) : json(nullptr);
  // [interleavings, complete, bound or -1].
  if (r.explored)
    j["explored"] = json::array(
        {r.explored->interleavings, r.explored->complete, r.explored->bound.value_or(-1)});
  // A list of [name, value] pairs: an object would reorder the names.
  json metrics = json::array();
  for (const auto& [name, value] : r.metrics) metrics.push_back(json::array({name, num(value)}));
  j["metrics"] = metrics;
  // [name, count, mean, min, max] per shown metric, in the spec's order.
  json measured = json::array();
  for (const auto& m : r.measured)
    measured.push_back(json::array({m.name, m.count, num(m.mean), num(m.min), num(m.max)}));
  j["measured"] = measured;
  return line({{"type", "result"}, {"result", j}});
}

namespace {

// Throws, or returns false, when a field is missing or wrong; `out` may then
// hold part of the message.
bool decode_into(const json& j, WorkerMessage& out) {
  if (j["type"] == "failure") {
    out.type = WorkerMessage::Type::failure;
    out.failure = failure_from(j.at("failure"));
    return true;
  }
  if (j["type"] == "result") {
    const json& r = j.at("result");
    out.type = WorkerMessage::Type::result;
    out.result.trials = u64(r.at("trials"));
    out.result.elapsed_s = num_from(r.at("elapsed_s"));
    const json& o = r.at("outcomes");
    for (std::size_t k = 0; k < model::kOutcomeCount && k < o.size(); ++k)
      out.result.outcomes[k] = u64(o[k]);
    const auto stop = model::stop_reason_from_string(r.at("stopped_by").get<std::string>());
    if (!stop) return false;
    out.result.stopped_by = *stop;
    out.result.note = r.at("note").get<std::string>();
    out.result.met = r.at("met").get<bool>();
    out.result.schedules = r.contains("schedules") ? u64(r.at("schedules")) : 0;
    out.result.unsteerable = r.value("unsteerable", false);
    if (!r.at("first_failure").is_null())
      out.result.first_failure = failure_from(r.at("first_failure"));
    // [interleavings, complete, bound or -1]
    if (r.contains("explored")) {
      const json& e = r.at("explored");
      model::Exploration x;
      x.interleavings = u64(e.at(0));
      x.complete = e.at(1).get<bool>();
      if (e.at(2).is_number_unsigned())
        x.bound = static_cast<std::int64_t>(std::min<std::uint64_t>(u64(e.at(2)), INT64_MAX));
      out.result.explored = x;
    }
    for (const auto& m : r.value("metrics", json::array()))
      out.result.metrics.emplace_back(m.at(0).get<std::string>(), num_from(m.at(1)));
    for (const auto& m : r.value("measured", json::array()))
      out.result.measured.push_back({m.at(0).get<std::string>(), u64(m.at(1)), num_from(m.at(2)),
                                     num_from(m.at(3)), num_from(m.at(4))});
    return true;
  }
  return false;
}

}  // namespace

// Writes `out` only once the whole message has decoded. decode_line() tries a
// line again from a later start with the same `out`, and what a first attempt
// had read before it failed stayed in the message the second one decoded: a
// result's trials in a failure message (found by worker_protocol_fuzz:
// nlohmann's parser ends a text at a NUL byte, so "{result cut
// short}\0{failure}" was read as a result first).
bool decode(std::string_view text, WorkerMessage& out) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("type")) return false;
  WorkerMessage m;
  try {
    if (!decode_into(j, m)) return false;
  } catch (const std::exception&) {  // json::exception, or u64()'s
    return false;
  }
  out = std::move(m);
  return true;
}

bool decode_line(std::string_view line, WorkerMessage& out) {
  if (decode(line, out)) return true;
  // A message's keys are written sorted, so it opens with its payload's key;
  // inside a string value the quotes would be escaped, so a match is a start.
  for (const std::string_view opening : {R"({"failure":)", R"({"result":)"}) {
    const std::size_t start = line.find(opening);
    if (start != std::string_view::npos && start > 0 && decode(line.substr(start), out))
      return true;
  }
  return false;
}

}  // namespace strain::exec
