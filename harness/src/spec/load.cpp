#include "spec/load.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "fixtures/site_facts.hpp"
#include "runtime/abi_types.hpp"
#include "spec/default_strategy.hpp"
#include "spec/fixtures.hpp"
#include "spec/limits.hpp"
#include "spec/matrix.hpp"
#include "spec/resolved_check.hpp"

namespace strain::spec {

namespace {

using detail::Assign;
using detail::FixtureSettings;
using detail::got;
using detail::MatrixAxis;
using detail::Resolved;

constexpr std::array<std::string_view, 10> kTopKeys = {
    "name",     "description", "plugin", "params", "schedule",
    "fixtures", "invariants",  "show",   "matrix", "cases"};
constexpr std::array<std::string_view, 8> kCaseKeys = {
    "name", "params", "schedule", "fixtures", "expect", "invariants", "show", "matrix"};
constexpr std::array<std::string_view, 3> kExpectKeys = {"outcome", "tsan", "exhaustive"};

check::NameType name_type(ParamType t) {
  switch (t) {
    case ParamType::integer:
      return check::NameType::integer;
    case ParamType::number:
      return check::NameType::number;
    case ParamType::boolean:
      return check::NameType::boolean;
    case ParamType::string:
      return check::NameType::string;
  }
  return check::NameType::numeric;
}

bool valid_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// The spec-level parts every case starts from.
struct Shared {
  std::vector<Assign> params;
  std::vector<Assign> schedule;
  std::vector<Invariant> invariants;
  std::vector<Shown> show;
  std::vector<MatrixAxis> matrix;
  FixtureSettings fixtures;
};

class Parser {
 public:
  Parser(std::string_view text, const std::string& path, const plugin::Catalog& catalog,
         const CaseFilter& wanted)
      : text_(text), path_(path), wanted_(wanted), catalog_(catalog), diags_(path) {}

  Spec run() {
    Spec spec;
    if (text_.size() > limits::kMaxSpecBytes) {
      diags_.error(SourceLoc{path_, 1, 1},
                   fmt::format("spec is larger than the limit of {} bytes (a spec is a few KiB; "
                               "is this the right file?)",
                               limits::kMaxSpecBytes));
      throw SpecError(diags_.take());
    }
    try {
      // Load reads the first document only; a second one would be ignored
      // without a word, so it is looked for in the text and rejected where
      // it starts. Not with LoadAll: yaml-cpp 0.7's loops forever on a
      // directive line after a document (found by spec_fuzz).
      // The first document alone would draw errors the rest of the text
      // answers ("missing required key 'cases'"): say only what is wrong.
      if (!second_document()) parse_top(YAML::Load(std::string(text_)), spec);
    } catch (const YAML::ParserException& e) {
      diags_.error(e.mark, "YAML syntax error: " + e.msg);
    } catch (const YAML::Exception& e) {
      // Not expected (nodes are only read through checked accessors), but a
      // malformed file must still end as a diagnostic, not a crash.
      diags_.error(e.mark, "YAML error: " + e.msg);
    }
    if (!diags_.empty()) throw SpecError(diags_.take());
    return spec;
  }

 private:
  // Where a second document starts: a `---` line, or a directive line (`%`),
  // after content. A first `---` only opens the first document.
  bool second_document() {
    std::size_t pos = 0;
    int line = 1;
    bool seen_content = false, opened = false, ended = false;
    while (pos < text_.size()) {
      const std::size_t end = std::min(text_.find('\n', pos), text_.size());
      const std::string_view l = text_.substr(pos, end - pos);
      const bool marker =
          l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
      const bool blank = l.find_first_not_of(" \t\r") == std::string_view::npos;
      if ((marker && (seen_content || opened)) ||
          (l.starts_with("%") && (seen_content || opened))) {
        diags_.error(SourceLoc{path_, line, 1},
                     "a spec file holds one YAML document; a second one starts here");
        return true;
      }
      const bool end_marker =
          l.starts_with("...") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
      if (end_marker) {
        ended = seen_content || opened;
      } else if (marker) {
        opened = true;
      } else if (!blank && l[0] != '#' && l[0] != '%') {
        // Content after `...` is a document of its own.
        if (ended) {
          diags_.error(SourceLoc{path_, line, 1},
                       "a spec file holds one YAML document; a second one starts here");
          return true;
        }
        seen_content = true;
      }
      pos = end + 1;
      ++line;
    }
    return false;
  }

  void parse_top(const YAML::Node& doc, Spec& spec) {
    spec.path = path_;
    if (!doc.IsMap()) return diags_.error(doc, "spec must be a map, got " + got(doc));
    std::map<std::string, YAML::Node> top;
    for (const auto& [k, v] : detail::entries(diags_, doc, kTopKeys)) top.emplace(k.Scalar(), v);
    const auto has = [&](const char* k) { return top.count(k) != 0; };

    spec.name = std::filesystem::path(path_).stem().string();
    if (has("name")) {
      const YAML::Node& n = top.at("name");
      if (!n.IsScalar())
        diags_.error(n, "spec name must be a string, got " + got(n));
      else if (!valid_name(n.Scalar()))
        diags_.error(n, fmt::format("spec name '{}' must match [A-Za-z0-9_.-]+", n.Scalar()));
      else
        spec.name = n.Scalar();
    } else if (!valid_name(spec.name)) {
      diags_.error(SourceLoc{path_, 1, 1},
                   fmt::format("spec name '{}' (the file's stem) must match [A-Za-z0-9_.-]+; "
                               "set 'name:'",
                               spec.name));
    }
    if (has("description")) {
      const YAML::Node& n = top.at("description");
      if (n.IsScalar())
        spec.description = n.Scalar();
      else
        diags_.error(n, "'description' must be a string, got " + got(n));
    }
    if (!has("plugin")) {
      diags_.error(doc, "missing required key 'plugin'");
    } else if (const YAML::Node& n = top.at("plugin"); !n.IsScalar()) {
      diags_.error(n, "'plugin' must be a string, got " + got(n));
    } else {
      spec.plugin = n.Scalar();
      scenario_ = catalog_.find(spec.plugin);
      if (scenario_ == nullptr) diags_.error(n, unknown_plugin(spec.plugin));
    }
    if (scenario_ != nullptr) {
      // Beside each name, its type as far as validation knows it, so an
      // invariant that could never evaluate is an error where it is written.
      for (const auto& p : scenario_->params) {
        names_.push_back(p.name);
        types_.push_back(name_type(p.type));
      }
      for (const auto& m : scenario_->metrics) names_.push_back(m.name);
      // The site's facts are names only in specs that use the site, so a
      // scenario's own names are all that other specs see.
      site_base_ = names_.size();
      if (uses_fixtures(top))
        for (const auto name : fixtures::kSiteFactNames) names_.emplace_back(name);
      // Metrics and site facts are numbers, integer or not.
      types_.resize(names_.size(), check::NameType::numeric);
    }

    detail::Settings settings(diags_, scenario_);
    Shared shared;
    if (has("params")) settings.params(top.at("params"), shared.params);
    if (has("schedule")) settings.schedule(top.at("schedule"), shared.schedule);
    if (has("fixtures")) detail::parse_fixtures(diags_, top.at("fixtures"), shared.fixtures);
    if (has("invariants")) parse_invariants(top.at("invariants"), shared.invariants);
    if (has("show")) shared.show = parse_show(top.at("show"));
    if (has("matrix")) shared.matrix = settings.matrix(top.at("matrix"));

    if (!has("cases")) return diags_.error(doc, "missing required key 'cases'");
    const YAML::Node& cases = top.at("cases");
    if (!cases.IsSequence() || cases.size() == 0)
      return diags_.error(cases, "'cases' must be a non-empty list");
    std::map<std::string, int> first_line;
    for (const auto& c : cases) parse_case(c, spec, settings, shared, first_line);
  }

  // Whether the spec or any of its cases has a `fixtures:` key.
  static bool uses_fixtures(const std::map<std::string, YAML::Node>& top) {
    if (top.count("fixtures") != 0) return true;
    const auto it = top.find("cases");
    if (it == top.end() || !it->second.IsSequence()) return false;
    for (const auto& c : it->second)
      if (c.IsMap() && c["fixtures"]) return true;
    return false;
  }

  // An invariant that uses a site fact in a case without a site could only
  // fail when evaluated; say so now, where it is written.
  void check_site_names(const std::vector<Invariant>& invariants) {
    for (const auto& inv : invariants)
      for (const std::size_t k : inv.expr.used())
        if (k >= site_base_ && k < names_.size()) {
          diags_.error(inv.loc,
                       fmt::format("invariant uses '{}', which needs the site fixture: add "
                                   "'fixtures: {{ site: {{}} }}' to the spec or the case",
                                   names_[k]));
          break;
        }
  }

  std::string unknown_plugin(const std::string& name) const {
    std::string available;
    for (const auto& s : catalog_.scenarios) available += (available.empty() ? "" : ", ") + s.name;
    std::string msg = fmt::format("unknown plugin '{}' (available: {})", name, available);
    if (!catalog_.problems.empty())
      msg += fmt::format("; {} plugin files failed to load, see 'strain plugins'",
                         catalog_.problems.size());
    return msg;
  }

  void parse_invariants(const YAML::Node& n, std::vector<Invariant>& out) {
    if (!n.IsSequence())
      return diags_.error(n, "'invariants' must be a list of strings, got " + got(n));
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        diags_.error(item, "an invariant must be a string, got " + got(item));
        continue;
      }
      Invariant inv;
      inv.text = item.Scalar();
      inv.loc = diags_.loc(item);
      if (scenario_ == nullptr) continue;  // nothing to compile against
      check::ExprError err;
      if (!check::Expr::compile(inv.text, names_, inv.expr, err, types_)) {
        const YAML::Mark m = item.Mark();
        const SourceLoc at = m.is_null() ? inv.loc : value_offset_loc(m, err.offset);
        diags_.error(at, "bad invariant: " + err.message);
        continue;
      }
      out.push_back(std::move(inv));
    }
  }

  // `show: [metric, ...]`: metrics of the plugin, each named once.
  std::vector<Shown> parse_show(const YAML::Node& n) {
    std::vector<Shown> out;
    if (!n.IsSequence()) {
      diags_.error(n, "'show' must be a list of metric names, got " + got(n));
      return out;
    }
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        diags_.error(item, "a 'show' entry must be a metric name, got " + got(item));
        continue;
      }
      const std::string& name = item.Scalar();
      if (scenario_ == nullptr) continue;  // nothing to check against
      const auto& metrics = scenario_->metrics;
      const auto it = std::find_if(metrics.begin(), metrics.end(),
                                   [&](const auto& m) { return m.name == name; });
      if (it == metrics.end()) {
        std::string known;
        for (const auto& m : metrics) known += (known.empty() ? "" : ", ") + m.name;
        diags_.error(item, fmt::format("unknown metric '{}' for plugin '{}' (metrics: {})", name,
                                       scenario_->name, known.empty() ? "none" : known));
        continue;
      }
      if (std::any_of(out.begin(), out.end(), [&](const Shown& s) { return s.name == name; })) {
        diags_.error(item, fmt::format("metric '{}' is listed twice in 'show'", name));
        continue;
      }
      out.push_back({name, static_cast<std::size_t>(it - metrics.begin())});
    }
    return out;
  }

  // Where byte `offset` of a scalar's value is in the source: past the
  // opening quote and counting an escape (\" or '') as one byte, or, for a
  // block scalar (| or >), on the line after its header. A value that spans
  // lines is mapped as if it did not, so the column is then approximate.
  SourceLoc value_offset_loc(const YAML::Mark& m, std::size_t offset) const {
    SourceLoc at{path_, m.line + 1, m.column + 1};
    std::size_t i = static_cast<std::size_t>(m.pos);
    const char first = i < text_.size() ? text_[i] : '\0';
    if (first == '|' || first == '>') {
      i = text_.find('\n', i);
      if (i == std::string_view::npos) return at;
      const std::size_t start = ++i;
      while (i < text_.size() && text_[i] == ' ') ++i;
      at.line += 1;
      at.col = static_cast<int>(i - start + offset) + 1;
      return at;
    }
    if (first != '"' && first != '\'') {
      at.col += static_cast<int>(offset);
      return at;
    }
    ++i;
    ++at.col;
    for (std::size_t v = 0; v < offset; ++v) {
      const bool escape =
          i + 1 < text_.size() && ((first == '"' && text_[i] == '\\') ||
                                   (first == '\'' && text_[i] == '\'' && text_[i + 1] == '\''));
      const std::size_t width = escape ? 2 : 1;
      i += width;
      at.col += static_cast<int>(width);
    }
    return at;
  }

  std::optional<model::Outcome> outcome(const YAML::Node& v) {
    if (v.IsScalar())
      if (auto o = model::expectation_from_string(v.Scalar())) return o;
    std::string names;
    for (const auto o : model::kAllOutcomes)
      names += fmt::format("{}{}", names.empty() ? "" : ", ", model::to_string(o));
    names += ", fail";
    diags_.error(v, fmt::format("unknown outcome {} (expected one of: {})", got(v), names));
    return std::nullopt;
  }

  Expectation parse_expect(const YAML::Node& n) {
    Expectation e;
    if (n.IsScalar()) {
      if (auto o = outcome(n)) e.plain = e.tsan = *o;
      return e;
    }
    if (!n.IsMap()) {
      diags_.error(n, "'expect' must be an outcome or a map, got " + got(n));
      return e;
    }
    std::optional<model::Outcome> plain, tsan;
    for (const auto& [k, v] : detail::entries(diags_, n, kExpectKeys)) {
      if (k.Scalar() == "exhaustive") {
        if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false"))
          diags_.error(v, "'exhaustive' must be true or false, got " + got(v));
        e.exhaustive = v.IsScalar() && v.Scalar() == "true";
        e.exhaustive_loc = diags_.loc(v);
        continue;
      }
      (k.Scalar() == "outcome" ? plain : tsan) = outcome(v);
    }
    e.plain = plain.value_or(model::Outcome::pass);
    e.tsan = tsan.value_or(e.plain);
    return e;
  }

  // The case's `name`: a valid name, not used by an earlier case of the spec (`first_line` holds
  // where each was first, `duplicate` says it was not); empty when it has none.
  std::string case_name(const YAML::Node& n, const std::map<std::string, YAML::Node>& keys,
                        std::map<std::string, int>& first_line, bool& duplicate) {
    const auto it = keys.find("name");
    if (it == keys.end()) {
      diags_.error(n, "missing required key 'name'");
      return "";
    }
    const YAML::Node& v = it->second;
    if (!v.IsScalar()) {
      diags_.error(v, "case name must be a string, got " + got(v));
      return "";
    }
    if (!valid_name(v.Scalar())) {
      diags_.error(v, fmt::format("case name '{}' must match [A-Za-z0-9_.-]+", v.Scalar()));
      return "";
    }
    const auto [first, fresh] = first_line.emplace(v.Scalar(), v.Mark().line + 1);
    if (!fresh) {
      diags_.error(
          v, fmt::format("duplicate case name '{}' (first at line {})", v.Scalar(), first->second));
      duplicate = true;
    }
    return v.Scalar();
  }

  // `expect: {exhaustive: true}` only where a search can finish.
  void check_exhaustive(const Case& c) {
    const bool dfs =
        model::steered(c.schedule.strategy) && c.schedule.strategy.pick == model::Pick::dfs;
    if (c.expect.exhaustive && !dfs)
      diags_.error(c.expect.exhaustive_loc,
                   fmt::format("'exhaustive' needs strategy controlled/dfs (the only one that "
                               "can finish a search); case {} runs under {}",
                               c.id, model::label(c.schedule.strategy)));
  }

  void parse_case(const YAML::Node& n, Spec& spec, detail::Settings& settings, const Shared& shared,
                  std::map<std::string, int>& first_line) {
    if (!n.IsMap()) return diags_.error(n, "a case must be a map, got " + got(n));
    std::map<std::string, YAML::Node> keys;
    for (const auto& [k, v] : detail::entries(diags_, n, kCaseKeys)) keys.emplace(k.Scalar(), v);
    const auto has = [&](const char* k) { return keys.count(k) != 0; };

    bool duplicate_name = false;  // said once; its ids are not compared again
    const std::string name = case_name(n, keys, first_line, duplicate_name);

    std::vector<Assign> params = shared.params, schedule = shared.schedule;
    if (has("params")) settings.params(keys.at("params"), params);
    if (has("schedule")) settings.schedule(keys.at("schedule"), schedule);
    Expectation expect;
    if (has("expect")) expect = parse_expect(keys.at("expect"));
    std::vector<Invariant> invariants = shared.invariants;
    if (has("invariants")) parse_invariants(keys.at("invariants"), invariants);
    FixtureSettings fx = shared.fixtures;
    if (has("fixtures")) detail::parse_fixtures(diags_, keys.at("fixtures"), fx);
    const std::optional<fixtures::SiteOptions> site = detail::resolve_site(diags_, fx);
    if (!site) check_site_names(invariants);
    // A case's own `show` replaces the spec's, as its matrix does; `show: []` shows none.
    const std::vector<Shown> show = has("show") ? parse_show(keys.at("show")) : shared.show;
    // A case's own matrix replaces the spec's; `matrix: {}` means none.
    std::vector<MatrixAxis> own;
    if (has("matrix")) own = settings.matrix(keys.at("matrix"));
    const std::vector<MatrixAxis>& axes = has("matrix") ? own : shared.matrix;
    if (scenario_ == nullptr || name.empty()) return;

    Resolved base;
    for (const auto& p : scenario_->params) base.params.push_back(p.default_value);
    for (const auto& role : scenario_->roles)
      base.schedule.role_counts.push_back(static_cast<int>(role.min_instances));
    base.roles_loc = base.strategy_loc = diags_.loc(n);
    for (const auto& a : params) a(base);
    for (const auto& a : schedule) a(base);

    if (!within_case_limit(spec, axes, n)) return;
    for (const auto& point : detail::matrix_points(axes)) {
      Case c;
      std::string labels;
      for (std::size_t k = 0; k < axes.size(); ++k) {
        const auto& value = axes[k].values[point[k]];
        c.matrix.emplace_back(axes[k].label, value.text);
        labels += fmt::format("{}{}={}", labels.empty() ? "" : ",", axes[k].label, value.text);
      }
      c.id = spec.name + "/" + name + (labels.empty() ? "" : "/" + labels);
      if (wanted_ && !wanted_(c.id)) continue;
      Resolved r = base;
      for (std::size_t k = 0; k < axes.size(); ++k) axes[k].values[point[k]].assign(r);
      apply_default_strategy(r);
      detail::check_resolved(diags_, *scenario_, r, site.has_value());
      // Distinct values can still spell one id (a string value holding
      // ",k=v"); two cases with one id could not be told apart in a report.
      if (const auto [it, fresh] = ids_.emplace(c.id, diags_.loc(n).line);
          !fresh && !duplicate_name) {
        diags_.error(n, fmt::format("case id '{}' is made twice (first by the case at line {})",
                                    c.id, it->second));
        continue;
      }
      c.spec_name = spec.name;
      c.spec_path = path_;
      c.case_name = name;
      c.plugin = spec.plugin;
      c.scenario = scenario_;
      c.params = std::move(r.params);
      c.schedule = std::move(r.schedule);
      c.strategy_defaulted = !r.strategy_named;
      c.expect = expect;
      check_exhaustive(c);
      c.invariants = invariants;
      c.site = site;
      c.show = show;
      c.names = names_;
      c.loc = diags_.loc(n);
      spec.cases.push_back(std::move(c));
    }
  }

  // Whether the case's matrix keeps the spec within limits::kMaxCases. The
  // product is counted axis by axis before anything is expanded, and the
  // axis that crosses the limit is the one named.
  bool within_case_limit(const Spec& spec, const std::vector<MatrixAxis>& axes,
                         const YAML::Node& at) {
    if (axes.empty() && spec.cases.size() + 1 > limits::kMaxCases) {
      diags_.error(at, fmt::format("this case takes the spec past the limit of {} cases per spec",
                                   limits::kMaxCases));
      return false;
    }
    std::uint64_t product = 1;
    for (const auto& a : axes) {
      product *= a.values.size();
      if (spec.cases.size() + product > limits::kMaxCases) {
        diags_.error(a.loc,
                     fmt::format("matrix key '{}' ({} values) takes the spec to {}{} cases, "
                                 "past the limit of {} cases per spec",
                                 a.key, a.values.size(), &a == &axes.back() ? "" : "at least ",
                                 spec.cases.size() + product, limits::kMaxCases));
        return false;
      }
    }
    return true;
  }

  std::string_view text_;
  const std::string& path_;
  const CaseFilter& wanted_;  // empty: every case
  const plugin::Catalog& catalog_;
  detail::Diagnostics diags_;
  const plugin::ScenarioInfo* scenario_ = nullptr;
  std::vector<std::string> names_;
  std::vector<check::NameType> types_;  // parallel to names_
  std::size_t site_base_ = 0;           // index of the first site fact in names_
  std::map<std::string, int> ids_;      // case id -> line of the case that made it
};

}  // namespace

CaseFilter only_case(std::string id) {
  return [id = std::move(id)](std::string_view c) { return c == id; };
}

Spec parse_spec(std::string_view yaml, const std::string& path, const plugin::Catalog& catalog,
                const CaseFilter& wanted) {
  return Parser(yaml, path, catalog, wanted).run();
}

}  // namespace strain::spec
