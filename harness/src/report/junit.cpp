// The JUnit XML reporter, in the dialect Jenkins' xUnit plugin validates
// (junit-10.xsd): a suite per spec, a test case per case.
//
// Written by hand rather than with an XML library because the output is a
// fixed, shallow shape and escaping is the only subtle part.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "core/atomic_file.hpp"
#include "report/format.hpp"
#include "report/reporter.hpp"

namespace strain::report {

namespace {

std::string esc(std::string_view text) { return escape_xml(text); }
std::string attr(std::string_view text) { return escape_xml(text, true); }

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf.data();
}

std::string describe(const model::TrialFailure& f, std::uint64_t spec_seed) {
  return fmt::format("trial {} (spec seed {}) {} after {}s: {}", f.trial, spec_seed,
                     model::to_string(f.outcome), format_seconds(f.at_s), f.message);
}

// What was seen instead of the expected outcome: the first failure's outcome,
// else the first failure outcome counted, else "missed" when an expected
// failure never showed.
std::string observed_outcome(const model::CaseResult& r) {
  if (r.first_failure) return std::string(model::to_string(r.first_failure->outcome));
  for (const model::Outcome o : model::kAllOutcomes)
    if (model::is_failure(o) && o != r.expected && r.expected != model::Outcome::fail &&
        r.outcomes[static_cast<std::size_t>(o)] > 0)
      return std::string(model::to_string(o));
  if (r.stopped_by == model::StopReason::error) return "error";
  return "missed";
}

// The body shared by <failure> and <system-out>: enough to act on without
// opening another report.
std::string details(const model::CaseResult& r) {
  std::string text =
      fmt::format("expected: {}\nobserved: {}\nstopped by: {}\n", model::to_string(r.expected),
                  format_counts(r.outcomes),
                  r.stopped_by == model::StopReason::none ? "-" : model::to_string(r.stopped_by));
  if (r.first_failure) {
    text += "first failure: " + describe(*r.first_failure, r.spec_seed) + "\n";
    if (!r.first_failure->replay.empty()) text += "replay: " + r.first_failure->replay + "\n";
  }
  if (!r.note.empty()) text += "note: " + r.note + "\n";
  if (!r.measured.empty()) text += "measured: " + format_measured(r.measured) + "\n";
  for (const auto& rep : r.sanitizer_reports)
    text += fmt::format("\nThreadSanitizer ({}x): {}\n", rep.count, rep.brief);
  return text;
}

// Catch2's split, which Jenkins and GitLab show apart: a check that found
// the code wrong is a <failure>; the code not finishing its trial (a crash,
// an exception or exit(), a hang, a case that could not run) is an <error>.
// A deadlock and a race are findings of the checks, so failures.
bool is_error(const model::CaseResult& r) {
  if (r.met) return false;
  if (r.stopped_by == model::StopReason::error) return true;
  const std::string o = observed_outcome(r);
  return o == "crash" || o == "error" || o == "hang";
}

void write_case(std::string& xml, const model::CaseResult& r, std::uint64_t repeat) {
  // With --repeat, each repetition is a test case of its own, named apart.
  const std::string name =
      repeat > 1 ? fmt::format("{} (repeat {}/{})", r.id, r.repetition + 1, repeat) : r.id;
  xml += fmt::format(R"(    <testcase name="{}" classname="{}" time="{}")", attr(name),
                     attr(r.spec_name), format_seconds(r.elapsed_s));
  if (r.met && !r.first_failure && r.note.empty() && r.sanitizer_reports.empty() &&
      r.output.empty() && r.measured.empty()) {
    xml += "/>\n";
    return;
  }
  xml += ">\n";
  if (!r.met) {
    const std::string type = observed_outcome(r);
    std::string message =
        fmt::format("expected {}, observed {}", model::to_string(r.expected), type);
    if (r.first_failure) message += ": " + r.first_failure->message;
    const std::string_view element = is_error(r) ? "error" : "failure";
    xml += fmt::format(R"(      <{} type="{}" message="{}">{}</{}>)", element, attr(type),
                       attr(message), esc(details(r)), element);
    xml += "\n";
  } else {
    // A seeded bug that was found passes, but what was found is the point of
    // the case, so it is shown.
    xml += fmt::format("      <system-out>{}</system-out>\n", esc(details(r)));
  }
  // What the plugin printed, bounded by the runner (head and tail kept).
  if (!r.output.empty()) xml += fmt::format("      <system-err>{}</system-err>\n", esc(r.output));
  xml += "    </testcase>\n";
}

struct Suite {
  std::string name;
  std::vector<const model::CaseResult*> cases;
  std::vector<const model::CaseResult*> unfinished;  // an interrupted run's, as skipped
};

class JunitReporter final : public Reporter {
 public:
  explicit JunitReporter(std::string path) : path_(std::move(path)) {}

  // The summary carries every result, so nothing is collected per event.
  void run_finished(const model::RunSummary& s) override {
    // Suites in the order their spec first appears, as the run went.
    std::vector<Suite> suites;
    std::size_t failures = 0, errors = 0;
    for (const auto& r : s.results) {
      auto it = std::find_if(suites.begin(), suites.end(),
                             [&](const Suite& su) { return su.name == r.spec_name; });
      if (it == suites.end()) it = suites.insert(suites.end(), Suite{r.spec_name, {}, {}});
      it->cases.push_back(&r);
      errors += is_error(r) ? 1 : 0;
      failures += r.met || is_error(r) ? 0 : 1;
    }
    // An interrupted run lists the cases it did not finish as skipped, so
    // the counts are those of the run asked for, not of a smaller one.
    for (const auto& u : s.unfinished) {
      auto it = std::find_if(suites.begin(), suites.end(),
                             [&](const Suite& su) { return su.name == u.spec_name; });
      if (it == suites.end()) it = suites.insert(suites.end(), Suite{u.spec_name, {}, {}});
      it->unfinished.push_back(&u);
    }
    const std::string host = host_name();
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += fmt::format(
        R"(<testsuites name="strain" tests="{}" failures="{}" errors="{}" time="{}">)"
        "\n",
        s.results.size() + s.unfinished.size(), failures, errors, format_seconds(s.elapsed_s));
    for (const Suite& suite : suites) {
      double time = 0;
      std::size_t suite_failures = 0, suite_errors = 0;
      for (const auto* r : suite.cases) {
        time += r->elapsed_s;
        suite_errors += is_error(*r) ? 1 : 0;
        suite_failures += r->met || is_error(*r) ? 0 : 1;
      }
      const model::CaseResult& first =
          suite.cases.empty() ? *suite.unfinished.front() : *suite.cases.front();
      xml += fmt::format(
          R"(  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="{}" )"
          R"(timestamp="{}" hostname="{}" file="{}">)"
          "\n",
          attr(suite.name), suite.cases.size() + suite.unfinished.size(), suite_failures,
          suite_errors, suite.unfinished.size(), format_seconds(time), attr(s.timestamp),
          attr(host), attr(first.spec_path));
      xml += "    <properties>\n";
      xml += fmt::format(R"(      <property name="build" value="{}"/>)"
                         "\n",
                         attr(s.build));
      // A suite is one spec, run under that spec's seed (or --seed).
      xml += fmt::format(R"(      <property name="seed" value="{}"/>)"
                         "\n",
                         first.spec_seed);
      if (s.interrupted)
        xml += R"(      <property name="interrupted" value="true"/>)"
               "\n";
      xml += "    </properties>\n";
      for (const auto* r : suite.cases) write_case(xml, *r, s.selection.repeat);
      for (const auto* u : suite.unfinished)
        xml += fmt::format(
            R"(    <testcase name="{}" classname="{}" time="0"><skipped message="{}"/></testcase>)"
            "\n",
            attr(u->id), attr(u->spec_name), "not run to the end: the run was interrupted");
      xml += "  </testsuite>\n";
    }
    xml += "</testsuites>\n";
    write_file_atomically(path_, xml);
  }

 private:
  std::string path_;
};

}  // namespace

namespace detail {
std::unique_ptr<Reporter> make_junit_reporter(std::string path) {
  return std::make_unique<JunitReporter>(std::move(path));
}
}  // namespace detail

}  // namespace strain::report
