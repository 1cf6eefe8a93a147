// The JSON reporter: one document per run, written whole at the end.

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "report/reporter.hpp"

namespace strain::report {

namespace {

// ordered_json keeps the fields in the order written here, which reads better
// than alphabetical order and keeps diffs of reports small.
using Json = nlohmann::ordered_json;

// The project version, from project(VERSION) in the top CMakeLists.
constexpr const char* kStrainVersion = STRAIN_VERSION;
// Bumped whenever a field changes name or meaning, so readers can refuse.
// Added fields (specs, selection, index, repetition) keep format 1: readers
// of format 1 ignore fields they do not know.
constexpr int kFormat = 1;

Json failure_json(const model::TrialFailure& f) {
  Json j{{"trial", f.trial},     {"seed", f.seed}, {"outcome", model::to_string(f.outcome)},
         {"message", f.message}, {"at_s", f.at_s}, {"replay", f.replay}};
  // Only controlled trials have an interleaving digest.
  if (!f.schedule.empty()) j["schedule"] = f.schedule;
  return j;
}

Json metrics_json(const model::CaseResult& r) {
  Json out = Json::object();
  for (const auto& [name, value] : r.metrics) out[name] = value;
  return out;
}

// The `show:` metrics, in the spec's order.
Json measured_json(const model::CaseResult& r) {
  Json out = Json::object();
  for (const auto& m : r.measured)
    out[m.name] = {{"mean", m.mean}, {"min", m.min}, {"max", m.max}, {"count", m.count}};
  return out;
}

Json sanitizer_json(const model::CaseResult& r) {
  Json out = Json::array();
  for (const auto& rep : r.sanitizer_reports) {
    Json accesses = Json::array();
    for (const auto& a : rep.accesses) {
      Json frames = Json::array();
      for (const auto& f : a.frames)
        frames.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}});
      Json access = {{"op", a.op},
                     {"size", a.size},
                     {"thread", a.thread},
                     {"mutexes_held", a.mutexes_held},
                     {"frames", std::move(frames)}};
      if (!a.address.empty()) access["address"] = a.address;
      accesses.push_back(std::move(access));
    }
    out.push_back({{"kind", rep.kind},
                   {"outcome", rep.outcome},
                   {"signature", rep.signature},
                   {"count", rep.count},
                   {"brief", rep.brief},
                   {"accesses", std::move(accesses)},
                   {"location", rep.location},
                   {"mutexes", rep.mutexes},
                   {"threads", rep.threads},
                   {"text", rep.text}});
  }
  return out;
}

Json case_json(const model::CaseResult& r) {
  Json matrix = Json::object();
  for (const auto& [key, value] : r.matrix) matrix[key] = value;
  // Every outcome is listed, zeros too, so readers never test for presence.
  Json outcomes = Json::object();
  for (const model::Outcome o : model::kAllOutcomes)
    outcomes[std::string(model::to_string(o))] = r.outcomes[static_cast<std::size_t>(o)];
  Json j{{"id", r.id},
         {"spec", r.spec_name},
         {"spec_path", r.spec_path},
         {"case", r.case_name},
         {"plugin", r.plugin},
         {"spec_seed", r.spec_seed},
         {"matrix", std::move(matrix)},
         {"expected", model::to_string(r.expected)},
         {"verdict", r.met ? "met" : "unmet"},
         {"trials", r.trials},
         {"elapsed_s", r.elapsed_s},
         {"trials_per_s", r.trials_per_s()},
         {"outcomes", std::move(outcomes)},
         {"stopped_by", model::to_string(r.stopped_by)},
         {"note", r.note},
         {"metrics", metrics_json(r)},
         {"measured", measured_json(r)},
         {"sanitizer_reports", sanitizer_json(r)},
         {"output_bytes", r.output_bytes},
         {"output", r.output},
         {"first_failure", r.first_failure ? failure_json(*r.first_failure) : Json(nullptr)},
         {"index", r.index},
         {"repetition", r.repetition}};
  // Steered cases: the distinct interleavings their trials ran (a case
  // under a real scheduler has no digest to count).
  if (r.schedules > 0)
    j["interleavings"] = Json{{"distinct", r.schedules},
                              {"saturated", r.schedules >= model::kDistinctInterleavingsCap}};
  // Strategy controlled/dfs: how far its search got.
  if (r.explored)
    j["explored"] = Json{{"interleavings", r.explored->interleavings},
                         {"complete", r.explored->complete},
                         {"bound", r.explored->bound ? Json(*r.explored->bound) : Json(nullptr)}};
  if (r.expected_exhaustive) j["expected_exhaustive"] = true;
  return j;
}

Json selection_json(const model::Selection& s) {
  Json shard = nullptr;
  if (s.shard) shard = Json{{"index", s.shard->index}, {"total", s.shard->total}};
  return Json{{"filter", s.filter},
              {"case_ids", s.ids},
              {"cases", s.cases},
              {"repeat", s.repeat},
              {"shard", std::move(shard)}};
}

Json specs_json(const std::vector<model::SpecFile>& specs) {
  Json out = Json::array();
  for (const auto& f : specs) out.push_back({{"name", f.name}, {"path", f.path}, {"hash", f.hash}});
  return out;
}

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string path) : path_(std::move(path)) {}

  // The summary carries every result, so nothing is collected per event.
  void run_finished(const model::RunSummary& s) override {
    std::size_t met = 0;
    Json cases = Json::array();
    for (const auto& r : s.results) {
      met += r.met ? 1 : 0;
      Json c = case_json(r);
      // Fields a merged report carried from a strain that knew more.
      for (const auto& [name, text] : r.extra_fields)
        if (!c.contains(name)) c[name] = Json::parse(text, nullptr, false);
      cases.push_back(std::move(c));
    }
    Json doc{
        {"strain_version", s.strain_version.empty() ? kStrainVersion : s.strain_version},
        {"format", kFormat},
        {"build", s.build},
        {"seed", s.seed},
        {"seed_overridden", s.seed_overridden},
        {"seed_per_spec", s.seed_per_spec},
        {"timestamp", s.timestamp},
        {"elapsed_s", s.elapsed_s},
        {"summary", {{"cases", s.results.size()}, {"met", met}, {"unmet", s.results.size() - met}}},
        {"specs", specs_json(s.specs)},
        {"selection", selection_json(s.selection)},
        {"cases", std::move(cases)}};
    // Only an interrupted run has these, so other reports stay as they were.
    if (s.interrupted) {
      Json unfinished = Json::array();
      for (const auto& u : s.unfinished) unfinished.push_back(u.id);
      doc["interrupted"] = true;
      doc["unfinished"] = std::move(unfinished);
    }
    // A plugin's message may hold bytes that are not UTF-8; replace them
    // rather than let dump() throw and lose the whole report.
    write_file_atomically(path_, doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  }

 private:
  std::string path_;
};

}  // namespace

namespace detail {
std::unique_ptr<Reporter> make_json_reporter(std::string path) {
  return std::make_unique<JsonReporter>(std::move(path));
}
}  // namespace detail

}  // namespace strain::report
