#include "report/json_read.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "core/file_kind.hpp"

namespace strain::report {

namespace {

using Json = nlohmann::json;

// The case fields read into CaseResult; any other is kept as extra.
// (trials_per_s is derived, so it is known but not read.)
constexpr std::array<std::string_view, 26> kKnownCaseFields = {
    "spec_seed",     "id",
    "spec",          "spec_path",
    "case",          "plugin",
    "matrix",        "expected",
    "verdict",       "trials",
    "elapsed_s",     "trials_per_s",
    "outcomes",      "stopped_by",
    "note",          "metrics",
    "measured",      "sanitizer_reports",
    "output_bytes",  "output",
    "first_failure", "index",
    "repetition",    "interleavings",
    "explored",      "expected_exhaustive"};

class Reader {
 public:
  // One of a case's sanitizer_reports; the parsed fields are absent from
  // reports of strains before they were added, so all are optional.
  model::SanitizerReport sanitizer_report(const Json& rep, const std::string& where) const {
    model::SanitizerReport out{
        get<std::string>(rep, "kind", where, ""),      get<std::string>(rep, "outcome", where, ""),
        get<std::string>(rep, "signature", where, ""), get<int>(rep, "count", where, 1),
        get<std::string>(rep, "brief", where, ""),     get<std::string>(rep, "text", where, "")};
    const std::string sw = where + ", sanitizer report";
    if (const auto a = rep.find("accesses"); a != rep.end() && a->is_array())
      for (const auto& access : *a) {
        model::SanitizerAccess x;
        x.op = get<std::string>(access, "op", sw, "");
        x.size = get<int>(access, "size", sw, 0);
        x.address = get<std::string>(access, "address", sw, "");
        x.thread = get<std::string>(access, "thread", sw, "");
        x.mutexes_held =
            get<std::vector<std::string>>(access, "mutexes_held", sw, std::vector<std::string>{});
        if (const auto f = access.find("frames"); f != access.end() && f->is_array())
          for (const auto& frame : *f)
            x.frames.push_back({get<std::string>(frame, "function", sw, ""),
                                get<std::string>(frame, "file", sw, ""),
                                get<int>(frame, "line", sw, 0)});
        out.accesses.push_back(std::move(x));
      }
    out.location = get<std::string>(rep, "location", sw, "");
    out.mutexes = get<std::vector<std::string>>(rep, "mutexes", sw, std::vector<std::string>{});
    out.threads = get<std::vector<std::string>>(rep, "threads", sw, std::vector<std::string>{});
    return out;
  }

  explicit Reader(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw UsageError(fmt::format("{}: {}: {}", path_, where, what));
  }

  // A field of `obj` of JSON type `want`; absent optional fields yield
  // `fallback`.
  template <class T>
  T get(const Json& obj, const char* key, const std::string& where,
        std::optional<T> fallback = std::nullopt) const {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (fallback) return *fallback;
      fail(where, fmt::format("missing field '{}'", key));
    }
    // An integer field must hold an integer in the type's range: get<>() of
    // 5.5e51 as an unsigned is undefined behaviour (found by
    // json_report_fuzz), and of -1 a wrap.
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const bool fits = it->is_number_unsigned()  ? std::in_range<T>(it->get<std::uint64_t>())
                        : it->is_number_integer() ? std::in_range<T>(it->get<std::int64_t>())
                                                  : false;
      if (!fits)
        fail(where,
             fmt::format("field '{}' must be an integer in [{}, {}], got {}", key,
                         std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), it->dump()));
    }
    try {
      return it->get<T>();
    } catch (const Json::exception&) {
      fail(where, fmt::format("field '{}' has the wrong type ({})", key, it->type_name()));
    }
  }

  model::Outcome outcome(const Json& obj, const char* key, const std::string& where) const {
    const std::string name = get<std::string>(obj, key, where);
    const auto o = model::outcome_from_string(name);
    if (!o) fail(where, fmt::format("unknown outcome '{}' in '{}'", name, key));
    return *o;
  }

  model::CaseResult read_case(const Json& c, std::size_t k) const {
    if (!c.is_object()) fail(fmt::format("cases[{}]", k), "not an object");
    model::CaseResult r;
    r.id = get<std::string>(c, "id", fmt::format("cases[{}]", k));
    const std::string where = fmt::format("case '{}'", r.id);
    r.spec_name = get<std::string>(c, "spec", where);
    r.spec_path = get<std::string>(c, "spec_path", where, "");
    r.case_name = get<std::string>(c, "case", where, "");
    r.plugin = get<std::string>(c, "plugin", where, "");
    r.spec_seed = get<std::uint64_t>(c, "spec_seed", where, 0);
    if (const auto m = c.find("matrix"); m != c.end() && m->is_object())
      for (const auto& [key, value] : m->items())
        r.matrix.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    {
      const std::string name = get<std::string>(c, "expected", where);
      const auto e = model::expectation_from_string(name);
      if (!e) fail(where, fmt::format("unknown outcome '{}' in 'expected'", name));
      r.expected = *e;
    }
    const std::string verdict = get<std::string>(c, "verdict", where);
    if (verdict != "met" && verdict != "unmet")
      fail(where, fmt::format("verdict must be met or unmet, got '{}'", verdict));
    r.met = verdict == "met";
    r.trials = get<std::uint64_t>(c, "trials", where);
    r.elapsed_s = get<double>(c, "elapsed_s", where, 0.0);
    const Json& counts = c.contains("outcomes") ? c["outcomes"] : Json::object();
    for (const model::Outcome o : model::kAllOutcomes)
      r.outcomes[static_cast<std::size_t>(o)] =
          get<std::uint64_t>(counts, std::string(model::to_string(o)).c_str(), where, 0);
    {
      const std::string name = get<std::string>(c, "stopped_by", where, "");
      const auto stop = model::stop_reason_from_string(name);
      if (!stop) fail(where, fmt::format("unknown reason '{}' in 'stopped_by'", name));
      r.stopped_by = *stop;
    }
    r.note = get<std::string>(c, "note", where, "");
    if (const auto m = c.find("metrics"); m != c.end() && m->is_object())
      for (const auto& [key, value] : m->items())
        if (value.is_number()) r.metrics.emplace_back(key, value.get<double>());
    if (const auto m = c.find("measured"); m != c.end() && m->is_object())
      for (const auto& [key, value] : m->items()) {
        const std::string mw = where + ", measured " + key;
        r.measured.push_back({key, get<std::uint64_t>(value, "count", mw, 0),
                              get<double>(value, "mean", mw), get<double>(value, "min", mw),
                              get<double>(value, "max", mw)});
      }
    if (const auto s = c.find("sanitizer_reports"); s != c.end() && s->is_array())
      for (const auto& rep : *s) r.sanitizer_reports.push_back(sanitizer_report(rep, where));
    r.output_bytes = get<std::uint64_t>(c, "output_bytes", where, 0);
    if (c.contains("interleavings") && c.at("interleavings").is_object())
      r.schedules = get<std::uint64_t>(c.at("interleavings"), "distinct", where, 0);
    if (const auto e = c.find("explored"); e != c.end() && e->is_object()) {
      const std::string ew = where + ", explored";
      model::Exploration x;
      x.interleavings = get<std::uint64_t>(*e, "interleavings", ew, 0);
      x.complete = get<bool>(*e, "complete", ew, false);
      if (const auto b = e->find("bound"); b != e->end() && !b->is_null())
        x.bound = static_cast<std::int64_t>(get<std::uint64_t>(*e, "bound", ew, 0));
      r.explored = x;
    }
    r.expected_exhaustive = get<bool>(c, "expected_exhaustive", where, false);
    r.output = get<std::string>(c, "output", where, "");
    if (const auto f = c.find("first_failure"); f != c.end() && !f->is_null()) {
      const std::string fw = where + ", first_failure";
      r.first_failure = model::TrialFailure{
          get<std::uint64_t>(*f, "trial", fw), get<std::uint64_t>(*f, "seed", fw, 0),
          outcome(*f, "outcome", fw),          get<std::string>(*f, "message", fw, ""),
          get<double>(*f, "at_s", fw, 0.0),    get<std::string>(*f, "replay", fw, "")};
    }
    r.index = get<std::uint64_t>(c, "index", where, k);
    r.repetition = get<std::uint64_t>(c, "repetition", where, 0);
    for (const auto& [key, value] : c.items())
      if (std::find(kKnownCaseFields.begin(), kKnownCaseFields.end(), key) ==
          kKnownCaseFields.end())
        r.extra_fields.emplace_back(key, value.dump());
    return r;
  }

  model::RunSummary read(const Json& doc) const {
    if (!doc.is_object()) fail("top level", "not a JSON object (is this a strain JSON report?)");
    const int format = get<int>(doc, "format", "top level");
    if (format != 1)
      fail("top level", fmt::format("report format {} is not one this strain reads (1)", format));
    model::RunSummary s;
    s.strain_version = get<std::string>(doc, "strain_version", "top level");
    s.build = get<std::string>(doc, "build", "top level");
    s.seed = get<std::uint64_t>(doc, "seed", "top level");
    s.seed_overridden = get<bool>(doc, "seed_overridden", "top level", false);
    s.seed_per_spec = get<bool>(doc, "seed_per_spec", "top level", false);
    s.timestamp = get<std::string>(doc, "timestamp", "top level", "");
    s.elapsed_s = get<double>(doc, "elapsed_s", "top level", 0.0);
    if (const auto specs = doc.find("specs"); specs != doc.end() && specs->is_array())
      for (const auto& f : *specs)
        s.specs.push_back({get<std::string>(f, "name", "specs"),
                           get<std::string>(f, "path", "specs", ""),
                           get<std::string>(f, "hash", "specs", "")});
    if (const auto sel = doc.find("selection"); sel != doc.end() && sel->is_object()) {
      s.selection.filter = get<std::string>(*sel, "filter", "selection", "");
      s.selection.ids =
          get<std::vector<std::string>>(*sel, "case_ids", "selection", std::vector<std::string>{});
      s.selection.cases = get<std::uint64_t>(*sel, "cases", "selection", 0);
      s.selection.repeat = get<std::uint64_t>(*sel, "repeat", "selection", 1);
      if (const auto sh = sel->find("shard"); sh != sel->end() && !sh->is_null())
        s.selection.shard = model::Shard{get<std::uint64_t>(*sh, "index", "selection.shard"),
                                         get<std::uint64_t>(*sh, "total", "selection.shard")};
    }
    const auto cases = doc.find("cases");
    if (cases == doc.end() || !cases->is_array()) fail("top level", "missing list 'cases'");
    for (std::size_t k = 0; k < cases->size(); ++k) s.results.push_back(read_case((*cases)[k], k));
    // A report written before `selection` existed: its cases are the selection.
    if (doc.find("selection") == doc.end()) s.selection.cases = s.results.size();
    return s;
  }

 private:
  const std::string& path_;
};

}  // namespace

model::RunSummary parse_json_report(std::string_view text, const std::string& path) {
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw UsageError(path + ": not valid JSON");
  return Reader(path).read(doc);
}

model::RunSummary read_json_report(const std::string& path) {
  // A FIFO given to merge would block the read forever: regular files only.
  if (std::string why = not_regular_file(path); !why.empty())
    throw UsageError("cannot read report " + path + ": the path " + why);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read report " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_json_report(text, path);
}

}  // namespace strain::report
