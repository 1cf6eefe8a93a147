#include "sched/trace.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.hpp"

namespace strain::sched {

std::string decisions_text(const std::vector<Decision>& d) {
  std::string out;
  out.reserve(d.size() * 3);
  for (const auto& x : d) {
    if (!out.empty()) out += ' ';
    out += x.kind;
    out += std::to_string(x.value);
  }
  return out;
}

bool parse_decisions(const std::string& text, std::vector<Decision>& out) {
  out.clear();
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    if (token.size() < 2 || (token[0] != 't' && token[0] != 'w' && token[0] != 'm')) return false;
    Decision d{token[0], 0};
    const char* end = token.data() + token.size();
    const auto [p, ec] = std::from_chars(token.data() + 1, end, d.value);
    if (ec != std::errc() || p != end) return false;
    out.push_back(d);
  }
  return true;
}

std::string Digest::text() const { return fmt::format("{:016x}", h_); }

void write_trace(const std::string& path, const Trace& t) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["case"] = t.case_id;
  j["seed"] = t.seed;
  j["trial"] = t.trial;
  j["strategy"] = t.strategy;
  j["steps"] = t.steps;
  j["digest"] = t.digest;
  j["decisions"] = decisions_text(t.decisions);
  j["interleaving"] = t.interleaving;
  write_file_atomically(path, j.dump(1) + "\n");
}

Trace read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the trace " + path);
  Trace t;
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.value("format", 0) != 1) throw std::runtime_error("not a strain trace (format 1)");
    t.case_id = j.at("case").get<std::string>();
    t.seed = j.at("seed").get<std::uint64_t>();
    t.trial = j.at("trial").get<std::uint64_t>();
    t.strategy = j.value("strategy", "");
    t.steps = j.value("steps", std::uint64_t{0});
    t.digest = j.value("digest", "");
    if (!parse_decisions(j.at("decisions").get<std::string>(), t.decisions))
      throw std::runtime_error("malformed 'decisions'");
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the trace " + path + ": " + e.what());
  }
  return t;
}

}  // namespace strain::sched
