#include "spec/matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <utility>

#include "runtime/abi_types.hpp"
#include "spec/limits.hpp"
#include "spec/load.hpp"

namespace strain::spec::detail {

namespace {

constexpr std::array<std::string_view, 9> kScheduleKeys = {
    "topology", "roles", "trials", "budget", "timeout", "strategy", "seed", "time_scale", "batch"};
constexpr std::array<std::string_view, 16> kStrategyKeys = {
    "name",       "yield_p",       "spin_p",        "sleep_p",        "spin_iters",
    "sleep_us",   "pick",          "depth",         "steps",          "weak_memory",
    "spin_limit", "starve_min_us", "starve_max_us", "plain_accesses", "preemption_bound",
    "fibers"};

template <typename Range, typename F>
std::string join_by(const Range& items, F&& str) {
  std::string out;
  for (const auto& x : items) {
    if (!out.empty()) out += ", ";
    out += str(x);
  }
  return out;
}

std::string_view article(ParamType t) {
  switch (t) {
    case ParamType::integer:
      return "an integer";
    case ParamType::number:
      return "a number";
    case ParamType::boolean:
      return "a bool";
    case ParamType::string:
      return "a string";
  }
  return "a value";
}

Assign all_of(std::vector<Assign> parts) {
  return [parts = std::move(parts)](Resolved& r) {
    for (const auto& a : parts) a(r);
  };
}

const Assign kNothing = [](Resolved&) {};

// A node's value as a case id shows it: a scalar's text, else flow YAML.
std::string node_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

enum class Kind { param, schedule, role, strategy };

// Where a dotted matrix key points; names are checked by the caller.
std::optional<std::pair<Kind, std::string>> split_matrix_key(std::string_view key) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (std::any_of(parts.begin(), parts.end(), [](auto p) { return p.empty(); }))
    return std::nullopt;
  const auto to = [](Kind k, std::string_view s) { return std::pair(k, std::string(s)); };
  if (parts.size() == 2 && parts[0] == "params") return to(Kind::param, parts[1]);
  if (parts.size() == 2 && parts[0] == "schedule") return to(Kind::schedule, parts[1]);
  if (parts.size() == 3 && parts[0] == "schedule" && parts[1] == "roles")
    return to(Kind::role, parts[2]);
  if (parts.size() == 3 && parts[0] == "schedule" && parts[1] == "strategy")
    return to(Kind::strategy, parts[2]);
  return std::nullopt;
}

// `strategy: <name>`, `name: <name>` or `pick: <pick>` (`key` says which).
std::optional<Assign> name_or_pick(Diagnostics& diags, const std::string& key,
                                   const YAML::Node& v) {
  const auto at = diags.loc(v);
  const std::string text = v.IsScalar() ? v.Scalar() : "";
  if (key == "pick") {
    const auto pick = model::pick_from(text);
    if (!pick) {
      diags.error(v, fmt::format("'pick' must be one of: {}; got {}", model::pick_names(), got(v)));
      return std::nullopt;
    }
    return Assign([pick = *pick](Resolved& r) {
      r.schedule.strategy.pick = pick;
      r.pick_named = true;
    });
  }
  const auto name = model::strategy_name_from(text);
  if (!name) {
    diags.error(
        v, fmt::format("'{}' must be one of: {}; got {}", key, model::strategy_names(), got(v)));
    return std::nullopt;
  }
  return Assign([name = *name, at](Resolved& r) {
    r.schedule.strategy.name = name;
    r.strategy_loc = at;
    r.strategy_named = true;
  });
}

}  // namespace

// --- Settings --------------------------------------------------------------

// A settable thing: a param or role (index -1 when the plugin is unknown, so
// nothing about it can be checked), or a schedule or strategy key.
struct Settings::Target {
  Kind kind;
  int index = -1;
  std::string name;
};

void Settings::params(const YAML::Node& n, std::vector<Assign>& out) {
  if (!n.IsMap()) return diags_.error(n, "'params' must be a map");
  for (const auto& [k, v] : entries(diags_, n))
    if (auto t = param_target(k.Scalar(), k))
      if (auto a = convert(*t, v)) out.push_back(std::move(*a));
}

void Settings::schedule(const YAML::Node& n, std::vector<Assign>& out) {
  if (!n.IsMap()) return diags_.error(n, "'schedule' must be a map");
  for (const auto& [k, v] : entries(diags_, n, kScheduleKeys))
    if (auto a = schedule_key(k.Scalar(), v)) out.push_back(std::move(*a));
}

std::vector<MatrixAxis> Settings::matrix(const YAML::Node& n) {
  std::vector<MatrixAxis> axes;
  if (!n.IsMap()) {
    diags_.error(n, "'matrix' must be a map");
    return axes;
  }
  bool ok = true;
  for (const auto& [k, v] : entries(diags_, n)) {
    const std::string& key = k.Scalar();
    const auto target = matrix_target(key, k);
    if (!v.IsSequence() || v.size() == 0) {
      diags_.error(v, fmt::format("'{}' must be a non-empty list", key));
      ok = false;
      continue;
    }
    if (!target) {
      ok = false;
      continue;
    }
    MatrixAxis axis{key, key, {}, diags_.loc(k)};
    std::map<std::string, std::string> seen;  // canonical value -> as first written
    for (const auto& item : v) {
      auto a = convert(*target, item);
      if (!a) {
        ok = false;
        continue;
      }
      // A value is part of a case id, which consoles, reports and replay
      // lines print: an ESC, BEL, CR or LF in it would reach the terminal
      // or break the summary table (issue 13).
      const std::string text = node_text(item);
      if (std::any_of(text.begin(), text.end(), [](char ch) {
            const auto u = static_cast<unsigned char>(ch);
            return u < 0x20 || u == 0x7f;
          })) {
        diags_.error(item, fmt::format("'{}' has a value with a control character, which a case "
                                       "id cannot hold",
                                       key));
        ok = false;
        continue;
      }
      // Two values that set the same thing would run one case twice, and
      // written alike ([1, 1]) they would also share one case id.
      const auto [first, fresh] = seen.emplace(canonical(*target, item), node_text(item));
      if (!fresh) {
        diags_.error(
            item,
            fmt::format("'{}' lists the value {} twice{}", key, node_text(item),
                        first->second == node_text(item) ? "" : " (as '" + first->second + "')"));
        ok = false;
        continue;
      }
      axis.values.push_back({node_text(item), std::move(*a)});
    }
    axes.push_back(std::move(axis));
  }
  // A half-valid matrix would expand into cases nobody asked for.
  if (!ok) axes.clear();
  label_axes(axes);
  return axes;
}

std::string Settings::canonical(const Target& t, const YAML::Node& v) const {
  // A string param's "01" and "1" are different strings; anywhere else a
  // number is compared by value, so that 01 and 1 are one value.
  const bool string_param =
      t.kind == Kind::param && t.index >= 0 &&
      scenario_->params[static_cast<std::size_t>(t.index)].type == ParamType::string;
  if (!string_param && v.IsScalar()) {
    if (const auto i = to_integer<std::int64_t>(v)) return std::to_string(*i);
    if (const auto d = to_number(v)) return fmt::format("{}", *d);
  }
  return node_text(v);
}

std::optional<Settings::Target> Settings::param_target(const std::string& name,
                                                       const YAML::Node& at) {
  if (scenario_ == nullptr) return Target{Kind::param, -1, name};
  for (std::size_t i = 0; i < scenario_->params.size(); ++i)
    if (scenario_->params[i].name == name) return Target{Kind::param, static_cast<int>(i), name};
  diags_.error(at,
               fmt::format("unknown param '{}' for plugin '{}' (params: {})", name, scenario_->name,
                           join_by(scenario_->params, [](const auto& p) { return p.name; })));
  return std::nullopt;
}

std::optional<Settings::Target> Settings::role_target(const std::string& name,
                                                      const YAML::Node& at) {
  if (scenario_ == nullptr) return Target{Kind::role, -1, name};
  if (const int i = scenario_->role_index(name); i >= 0) return Target{Kind::role, i, name};
  diags_.error(at,
               fmt::format("unknown role '{}' for plugin '{}' (roles: {})", name, scenario_->name,
                           join_by(scenario_->roles, [](const auto& r) { return r.name; })));
  return std::nullopt;
}

std::optional<Settings::Target> Settings::matrix_target(const std::string& key,
                                                        const YAML::Node& at) {
  const auto path = split_matrix_key(key);
  if (!path) {
    diags_.error(at, fmt::format("bad matrix key '{}' (expected params.<param>, schedule.<key>, "
                                 "schedule.roles.<role> or schedule.strategy.<key>)",
                                 key));
    return std::nullopt;
  }
  const auto& [kind, name] = *path;
  if (kind == Kind::param) return param_target(name, at);
  if (kind == Kind::role) return role_target(name, at);
  const std::span<const std::string_view> keys =
      kind == Kind::schedule ? std::span<const std::string_view>(kScheduleKeys)
                             : std::span<const std::string_view>(kStrategyKeys);
  if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
    diags_.error(at, fmt::format("unknown key '{}' in matrix key '{}' (expected one of: {})", name,
                                 key, join(keys)));
    return std::nullopt;
  }
  return Target{kind, -1, name};
}

std::optional<Assign> Settings::convert(const Target& t, const YAML::Node& v) {
  switch (t.kind) {
    case Kind::param:
      return param(t, v);
    case Kind::role:
      return role(t, v);
    case Kind::schedule:
      return schedule_key(t.name, v);
    case Kind::strategy:
      return strategy_key(t.name, v);
  }
  return std::nullopt;
}

std::optional<Assign> Settings::param(const Target& t, const YAML::Node& v) {
  if (t.index < 0) return kNothing;
  const auto i = static_cast<std::size_t>(t.index);
  const auto& info = scenario_->params[i];
  std::optional<check::Value> value;
  switch (info.type) {
    case ParamType::integer:
      if (auto n = to_integer<std::int64_t>(v)) value = check::Value::integer(*n);
      break;
    case ParamType::number:
      if (auto d = to_number(v)) value = check::Value::number(*d);
      break;
    case ParamType::boolean:
      if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false"))
        value = check::Value::boolean(v.Scalar() == "true");
      break;
    case ParamType::string:
      if (v.IsScalar()) value = check::Value::string(v.Scalar());
      break;
  }
  if (!value) {
    diags_.error(
        v, fmt::format("param '{}' must be {}, got {}", info.name, article(info.type), got(v)));
    return std::nullopt;
  }
  if (!info.allowed.empty() &&
      std::find(info.allowed.begin(), info.allowed.end(), *value) == info.allowed.end()) {
    diags_.error(v,
                 fmt::format("param '{}' must be one of: {}; got {}", info.name,
                             join_by(info.allowed, [](const auto& a) { return a.str(); }), got(v)));
    return std::nullopt;
  }
  return Assign([i, x = std::move(*value)](Resolved& r) { r.params[i] = x; });
}

std::optional<Assign> Settings::role(const Target& t, const YAML::Node& v) {
  const auto n = to_integer<int>(v);
  if (!n || *n < 0 || *n > limits::kMaxRoleInstances) {
    diags_.error(v, fmt::format("'{}' must be an integer in [0, {}] (the limit of role instances "
                                "per case), got {}",
                                t.name, limits::kMaxRoleInstances, got(v)));
    return std::nullopt;
  }
  if (t.index < 0) return kNothing;
  return Assign([i = static_cast<std::size_t>(t.index), c = *n, at = diags_.loc(v)](Resolved& r) {
    r.schedule.role_counts[i] = c;
    r.roles_loc = at;
  });
}

std::optional<Assign> Settings::schedule_key(const std::string& key, const YAML::Node& v) {
  if (key == "topology") {
    const std::string text = v.IsScalar() ? v.Scalar() : "";
    if (text != "threads" && text != "processes") {
      diags_.error(v, "'topology' must be one of: threads, processes; got " + got(v));
      return std::nullopt;
    }
    const auto t = text == "threads" ? Topology::threads : Topology::processes;
    return Assign([t](Resolved& r) { r.schedule.topology = t; });
  }
  if (key == "roles") {
    if (!v.IsMap()) {
      diags_.error(v, "'roles' must be a map");
      return std::nullopt;
    }
    std::vector<Assign> parts;
    for (const auto& [rk, rv] : entries(diags_, v))
      if (auto t = role_target(rk.Scalar(), rk))
        if (auto a = role(*t, rv)) parts.push_back(std::move(*a));
    parts.push_back([at = diags_.loc(v)](Resolved& r) { r.roles_loc = at; });
    return all_of(std::move(parts));
  }
  if (key == "trials" || key == "seed") {
    const auto n = to_integer<std::uint64_t>(v);
    const std::uint64_t min = key == "trials" ? 1 : 0;
    if (!n || *n < min) {
      diags_.error(v, fmt::format("'{}' must be an integer >= {}, got {}", key, min, got(v)));
      return std::nullopt;
    }
    if (key == "trials") return Assign([n = *n](Resolved& r) { r.schedule.trials = n; });
    return Assign([n = *n](Resolved& r) { r.schedule.seed = n; });
  }
  if (key == "budget" || key == "timeout") {
    double secs = 0;
    if (!v.IsScalar() || !parse_duration(v.Scalar(), secs) || secs <= 0) {
      diags_.error(v, fmt::format("'{}' must be a duration > 0 (e.g. 5s, 250ms, 1.5m), got {}", key,
                                  got(v)));
      return std::nullopt;
    }
    if (secs > limits::kMaxDurationS) {
      diags_.error(v, fmt::format("'{}' must be at most {}h (the limit for a duration), got {}",
                                  key, limits::kMaxDurationS / 3600, got(v)));
      return std::nullopt;
    }
    if (key == "budget") return Assign([secs](Resolved& r) { r.schedule.budget_s = secs; });
    return Assign([secs](Resolved& r) { r.schedule.timeout_s = secs; });
  }
  if (key == "time_scale") {
    const auto d = to_number(v);
    if (!d || *d < 0 || *d > limits::kMaxTimeScale) {
      diags_.error(v, fmt::format("'time_scale' must be a number in [0, {}], got {}",
                                  limits::kMaxTimeScale, got(v)));
      return std::nullopt;
    }
    return Assign([d = *d](Resolved& r) { r.schedule.time_scale = d; });
  }
  if (key == "batch") return batch(v);
  // strategy: a plain name (keeping the knobs set elsewhere) or a map.
  std::vector<Assign> parts;
  if (v.IsScalar()) {
    auto a = strategy_key("strategy", v);
    if (!a) return std::nullopt;
    parts.push_back(std::move(*a));
  } else if (v.IsMap()) {
    for (const auto& [sk, sv] : entries(diags_, v, kStrategyKeys))
      if (auto a = strategy_key(sk.Scalar(), sv)) parts.push_back(std::move(*a));
  } else {
    diags_.error(v, "'strategy' must be a strategy name or a map, got " + got(v));
    return std::nullopt;
  }
  parts.push_back([at = diags_.loc(v)](Resolved& r) { r.strategy_loc = at; });
  return all_of(std::move(parts));
}

std::optional<Assign> Settings::batch(const YAML::Node& v) {
  const auto n = to_integer<std::uint32_t>(v);
  if (!n || *n < 1 || *n > limits::kMaxBatch) {
    diags_.error(
        v, fmt::format("'batch' must be an integer in [1, {}], got {}", limits::kMaxBatch, got(v)));
    return std::nullopt;
  }
  return Assign([n = *n, at = diags_.loc(v)](Resolved& r) {
    r.schedule.batch = n;
    r.batch_loc = at;
  });
}

// `key` is the key as written: "strategy" for the plain-name form. Keys
// that do not apply to the strategy finally named are ignored, so a matrix
// over strategy names can share one set of knobs.
std::optional<Assign> Settings::strategy_key(const std::string& key, const YAML::Node& v) {
  const auto at = diags_.loc(v);
  if (key == "name" || key == "strategy" || key == "pick") return name_or_pick(diags_, key, v);
  if (key == "plain_accesses") {
    const auto mode = model::plain_accesses_from(v.IsScalar() ? v.Scalar() : "");
    if (!mode) {
      diags_.error(v, fmt::format("'plain_accesses' must be one of: {}; got {}",
                                  model::plain_access_names(), got(v)));
      return std::nullopt;
    }
    return Assign([mode = *mode](Resolved& r) { r.schedule.strategy.plain_accesses = mode; });
  }
  if (key == "weak_memory" || key == "fibers") {
    if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) {
      diags_.error(v, fmt::format("'{}' must be true or false, got {}", key, got(v)));
      return std::nullopt;
    }
    const bool b = v.Scalar() == "true";
    if (key == "fibers") return Assign([b](Resolved& r) { r.schedule.strategy.fibers = b; });
    return Assign([b](Resolved& r) {
      r.schedule.strategy.weak_memory = b;
      r.weak_memory_named = true;
    });
  }
  if (key == "spin_iters" || key == "depth" || key == "steps" || key == "spin_limit" ||
      key == "preemption_bound") {
    const std::int64_t min = key == "depth" || key == "spin_limit" ? 1 : 0;
    const auto n = to_integer<std::int64_t>(v);
    if (!n || *n < min) {
      diags_.error(v, fmt::format("'{}' must be an integer >= {}, got {}", key, min, got(v)));
      return std::nullopt;
    }
    std::int64_t Strategy::*field = key == "spin_iters"   ? &Strategy::spin_iters
                                    : key == "depth"      ? &Strategy::depth
                                    : key == "steps"      ? &Strategy::steps
                                    : key == "spin_limit" ? &Strategy::spin_limit
                                                          : &Strategy::preemption_bound;
    return Assign([field, n = *n](Resolved& r) { r.schedule.strategy.*field = n; });
  }
  const auto d = to_number(v);
  if (key == "sleep_us" || key == "starve_min_us" || key == "starve_max_us") {
    if (!d || *d < 0) {
      diags_.error(v, fmt::format("'{}' must be a number >= 0, got {}", key, got(v)));
      return std::nullopt;
    }
    double Strategy::*field = key == "sleep_us"        ? &Strategy::sleep_us
                              : key == "starve_min_us" ? &Strategy::starve_min_us
                                                       : &Strategy::starve_max_us;
    return Assign([field, d = *d, at](Resolved& r) {
      r.schedule.strategy.*field = d;
      r.strategy_loc = at;
    });
  }
  // yield_p, spin_p, sleep_p
  if (!d || *d < 0 || *d > 1) {
    diags_.error(v, fmt::format("'{}' must be a number in [0, 1], got {}", key, got(v)));
    return std::nullopt;
  }
  double Strategy::*field = key == "yield_p"  ? &Strategy::yield_p
                            : key == "spin_p" ? &Strategy::spin_p
                                              : &Strategy::sleep_p;
  return Assign([field, d = *d, at](Resolved& r) {
    r.schedule.strategy.*field = d;
    r.strategy_loc = at;
  });
}

// --- the product -----------------------------------------------------------

void label_axes(std::vector<MatrixAxis>& axes) {
  const auto last = [](const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
  };
  std::map<std::string, int> uses;
  for (const auto& a : axes) ++uses[last(a.key)];
  // Only the keys that collide get the full path: the common case keeps short
  // ids and a collision still yields distinct ones.
  for (auto& a : axes) a.label = uses[last(a.key)] > 1 ? a.key : last(a.key);
}

std::vector<std::vector<std::size_t>> matrix_points(const std::vector<MatrixAxis>& axes) {
  std::vector<std::vector<std::size_t>> points;
  if (std::any_of(axes.begin(), axes.end(), [](const auto& a) { return a.values.empty(); }))
    return points;
  // An odometer whose last digit turns fastest.
  std::vector<std::size_t> index(axes.size(), 0);
  while (true) {
    points.push_back(index);
    std::size_t k = axes.size();
    while (true) {
      if (k == 0) return points;
      --k;
      if (++index[k] < axes[k].values.size()) break;
      index[k] = 0;
    }
  }
}

}  // namespace strain::spec::detail
