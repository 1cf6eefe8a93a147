#include "spec/yaml_read.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace strain::spec::detail {

std::optional<double> to_number(const YAML::Node& n) {
  if (!n.IsScalar() || n.Scalar().empty()) return std::nullopt;
  const std::string& s = n.Scalar();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// --- Diagnostics -----------------------------------------------------------

SourceLoc Diagnostics::loc(const YAML::Mark& m) const {
  if (m.is_null()) return {path_, 1, 1};
  return {path_, m.line + 1, m.column + 1};
}

SourceLoc Diagnostics::loc(const YAML::Node& n) const {
  if (n.IsNull())
    for (const auto& [value, key_mark] : empty_values_)
      if (value.is(n)) return loc(key_mark);
  return loc(n.Mark());
}

void Diagnostics::note_key(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsNull()) empty_values_.emplace_back(value, key.Mark());
}

void Diagnostics::error(const SourceLoc& at, std::string message) {
  Diagnostic d{at, std::move(message)};
  // A shared setting is checked once per case point; say it once.
  if (seen_.insert(d.str()).second) diags_.push_back(std::move(d));
}

std::vector<Diagnostic> Diagnostics::take() {
  // Errors are found section by section (the plugin first, since the rest is
  // checked against it); the reader wants them in file order.
  std::stable_sort(diags_.begin(), diags_.end(), [](const auto& a, const auto& b) {
    return std::pair(a.loc.line, a.loc.col) < std::pair(b.loc.line, b.loc.col);
  });
  return std::move(diags_);
}

std::string got(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return "nothing";
}

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (const auto s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::vector<std::pair<YAML::Node, YAML::Node>> entries(Diagnostics& diags, const YAML::Node& map,
                                                       std::span<const std::string_view> known) {
  std::vector<std::pair<YAML::Node, YAML::Node>> out;
  std::set<std::string> keys;
  for (const auto& kv : map) {
    const YAML::Node& key = kv.first;
    diags.note_key(key, kv.second);
    if (!key.IsScalar()) {
      diags.error(key, "keys must be strings, got " + got(key));
      continue;
    }
    const std::string& k = key.Scalar();
    if (!known.empty() && std::find(known.begin(), known.end(), k) == known.end()) {
      diags.error(key, fmt::format("unknown key '{}' (expected one of: {})", k, join(known)));
      continue;
    }
    // yaml-cpp keeps both entries of a repeated key; lookups see the first.
    if (!keys.insert(k).second) {
      diags.error(key, fmt::format("duplicate key '{}'", k));
      continue;
    }
    out.emplace_back(key, kv.second);
  }
  return out;
}

}  // namespace strain::spec::detail
