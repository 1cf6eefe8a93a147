#include <exception>

#include "report/reporter.hpp"

namespace strain::report {

namespace {

// Every reporter sees every event even when one of them throws (a report file
// in an unwritable place must not cost the others their file); the first
// error is rethrown once all have run.
template <typename Event>
void forward(const std::vector<std::unique_ptr<Reporter>>& reporters, Event&& event) {
  std::exception_ptr first;
  for (const auto& r : reporters) {
    try {
      event(*r);
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace

void Fanout::run_started(const model::RunInfo& i) {
  forward(reporters_, [&](Reporter& r) { r.run_started(i); });
}

void Fanout::case_started(const std::string& id) {
  forward(reporters_, [&](Reporter& r) { r.case_started(id); });
}

void Fanout::case_progress(const model::CaseProgress& p) {
  forward(reporters_, [&](Reporter& r) { r.case_progress(p); });
}

void Fanout::case_finished(const model::CaseResult& r) {
  forward(reporters_, [&](Reporter& rep) { rep.case_finished(r); });
}

void Fanout::run_finished(const model::RunSummary& s) {
  forward(reporters_, [&](Reporter& r) { r.run_finished(s); });
}

}  // namespace strain::report
