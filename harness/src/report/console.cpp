// The console reporter: streams a line per case and ends with a summary table.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ostream>

#include "report/format.hpp"
#include "report/live_line.hpp"
#include "report/reporter.hpp"

namespace strain::report {

namespace {

constexpr std::string_view kGreen = "\033[32m";
constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kReset = "\033[0m";
// Carriage return, then erase to the end of the line: the live line is
// redrawn in place instead of scrolling the terminal ten times a second.
constexpr std::string_view kRewind = "\r\033[K";

constexpr std::size_t kColumns = 7;
using Row = std::array<std::string, kColumns>;

class ConsoleReporter final : public Reporter {
 public:
  ConsoleReporter(std::ostream& out, ConsoleOptions options) : out_(out), options_(options) {}

  void run_started(const model::RunInfo& info) override {
    // The seed goes out first so a run that dies half-way can still be repeated.
    repeat_ = info.selection.repeat;
    total_ = info.case_ids.size();
    if (options_.quiet) return;
    out_ << fmt::format("{} {} case{} (build: {}, seed: {}", options_.merged ? "Merged" : "Running",
                        info.case_ids.size(), info.case_ids.size() == 1 ? "" : "s", info.build,
                        format_run_seed(info.seed, info.seed_overridden, info.seed_per_spec));
    if (info.selection.shard)
      out_ << fmt::format(", shard {}/{} of {} selected", info.selection.shard->index,
                          info.selection.shard->total, info.selection.cases);
    if (info.selection.repeat > 1) out_ << fmt::format(", {} repetitions", info.selection.repeat);
    out_ << ")\n";
    out_.flush();
  }

  void case_started(const std::string& /*id*/) override { ++started_; }

  void case_progress(const model::CaseProgress& p) override {
    // The live line leaves nothing behind once cleared, so quiet keeps it too.
    if (!options_.tty) return;
    out_ << kRewind << live_line(p, started_, total_, options_.columns);
    out_.flush();
    live_ = true;
  }

  void case_finished(const model::CaseResult& r) override {
    clear_live_line();
    if (options_.quiet) return;
    out_ << paint(r.met ? "[ MET ]" : "[UNMET]", r.met);
    out_ << fmt::format(" {}  {} trials  {}/s  {}", shown_id(r), r.trials,
                        format_rate(r.trials_per_s()), format_counts(r.outcomes));
    // Steered cases: how many distinct interleavings the trials covered.
    if (r.schedules > 0)
      out_ << fmt::format("  {}{} interleavings",
                          r.schedules >= model::kDistinctInterleavingsCap ? ">=" : "", r.schedules);
    if (!r.met) out_ << "  expected " << model::to_string(r.expected);
    out_ << '\n';
    if (!r.measured.empty()) out_ << "    measured: " << format_measured(r.measured) << '\n';
    if (r.explored) out_ << "    explored: " << format_exploration(*r.explored) << '\n';
    if (!r.met && r.expected_exhaustive && !(r.explored && r.explored->complete))
      out_ << "    expected an exhaustive search\n";
    if (!r.note.empty()) out_ << "    note: " << printable(r.note) << '\n';
    if (r.first_failure) {
      const model::TrialFailure& f = *r.first_failure;
      // The spec seed, not the trial's own: it is what --seed and the
      // replay line take.
      out_ << fmt::format("    first failure: trial {} (spec seed {}) {} after {}s: {}\n", f.trial,
                          r.spec_seed, model::to_string(f.outcome), format_seconds(f.at_s),
                          printable(f.message));
      if (!f.replay.empty()) out_ << "    replay: " << f.replay << '\n';
    }
    // TSan reports with their top frames: where the race is, at a glance.
    for (const auto& rep : r.sanitizer_reports) {
      out_ << fmt::format("    ThreadSanitizer ({}x): {}\n", rep.count, printable(rep.brief));
    }
    if (options_.verbose) print_details(r);
    out_.flush();
  }

  void run_finished(const model::RunSummary& s) override {
    clear_live_line();
    if (!options_.quiet && !s.results.empty()) out_ << '\n';
    if (!s.results.empty()) print_table(s);
    print_closing_lists(s);
    std::size_t met = 0;
    for (const auto& r : s.results) met += r.met ? 1 : 0;
    out_ << fmt::format("{} case{}: {} met, {} unmet (build: {}, seed: {})\n", s.results.size(),
                        s.results.size() == 1 ? "" : "s", met, s.results.size() - met, s.build,
                        format_run_seed(s.seed, s.seed_overridden, s.seed_per_spec));
    out_.flush();
  }

 private:
  // With --repeat, each repetition of a case is its own line.
  std::string shown_id(const model::CaseResult& r) const {
    if (repeat_ <= 1) return printable_line(r.id);
    return fmt::format("{} (repeat {}/{})", printable_line(r.id), r.repetition + 1, repeat_);
  }

  // --verbose: the last trial's metrics and what the plugin printed.
  void print_details(const model::CaseResult& r) {
    if (!r.metrics.empty()) {
      out_ << "    metrics:";
      for (const auto& [name, value] : r.metrics)
        out_ << fmt::format(" {}={}", printable_line(name), value);
      out_ << '\n';
    }
    out_ << fmt::format("    stopped by: {}\n", r.stopped_by == model::StopReason::none
                                                    ? "-"
                                                    : model::to_string(r.stopped_by));
    if (r.output.empty()) return;
    out_ << fmt::format("    plugin output ({} bytes):\n", r.output_bytes);
    std::size_t start = 0;
    while (start < r.output.size()) {
      const std::size_t end = std::min(r.output.find('\n', start), r.output.size());
      out_ << "    | " << printable(std::string_view(r.output).substr(start, end - start)) << '\n';
      start = end + 1;
    }
  }

  void clear_live_line() {
    if (!live_) return;
    out_ << kRewind;
    live_ = false;
  }

  std::string paint(std::string_view word, bool good) const {
    if (!options_.color) return std::string(word);
    return fmt::format("{}{}{}", good ? kGreen : kRed, word, kReset);
  }

  void print_table(const model::RunSummary& s) {
    std::vector<Row> rows;
    rows.push_back(
        {"case", "trials", "trials/s", "outcomes", "expected", "verdict", "first failure"});
    for (const auto& r : s.results) {
      rows.push_back({shown_id(r), std::to_string(r.trials), format_rate(r.trials_per_s()),
                      format_counts(r.outcomes), std::string(model::to_string(r.expected)),
                      r.met ? "met" : "unmet",
                      r.first_failure ? format_seconds(r.first_failure->at_s) + "s" : "-"});
    }
    std::array<std::size_t, kColumns> width{};
    for (const Row& row : rows)
      for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], row[c].size());
    // Counts read best right-aligned; names left-aligned.
    constexpr std::array<bool, kColumns> kRight = {false, true, true, false, false, false, true};
    constexpr std::size_t kVerdict = 5;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::string line;
      for (std::size_t c = 0; c < kColumns; ++c) {
        const std::string& cell = rows[i][c];
        const std::string pad(width[c] - cell.size(), ' ');
        // Colour codes take no columns, so padding is computed on the bare word.
        const std::string shown = (i > 0 && c == kVerdict) ? paint(cell, cell == "met") : cell;
        if (c > 0) line += "  ";
        line += kRight[c] ? pad + shown : shown + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out_ << line << '\n';
      // The `show:` metrics go on a line of their own under their case.
      if (i > 0 && !s.results[i - 1].measured.empty())
        out_ << "    " << format_measured(s.results[i - 1].measured) << '\n';
    }
  }

  // Like gtest's closing "[  FAILED  ]" list: the failures a seeded bug
  // case was meant to find come first, apart, and the cases that did not
  // meet their expectation last, just above the count, each with what was
  // expected, what was seen and how to replay it.
  void print_closing_lists(const model::RunSummary& s) {
    bool header = false;
    for (const auto& r : s.results) {
      if (!r.met || !r.first_failure || r.first_failure->replay.empty()) continue;
      if (!header) out_ << "\nexpected failures found (met), to replay:\n";
      header = true;
      out_ << fmt::format("  {}: {}\n", shown_id(r), r.first_failure->replay);
    }
    std::size_t unmet = 0;
    for (const auto& r : s.results) unmet += r.met ? 0 : 1;
    if (unmet > 0)
      out_ << fmt::format("\n{} did not meet {} expectation:\n",
                          paint(fmt::format("{} case{}", unmet, unmet == 1 ? "" : "s"), false),
                          unmet == 1 ? "its" : "their");
    for (const auto& r : s.results) {
      if (r.met) continue;
      out_ << fmt::format("  {} {}: expected {}, observed {}", paint("[UNMET]", false), shown_id(r),
                          model::to_string(r.expected), format_counts(r.outcomes));
      // One line a case, as gtest's list: a hang's stacks are above.
      const std::string& why = r.first_failure ? r.first_failure->message : r.note;
      if (!why.empty()) out_ << ": " << printable(why.substr(0, why.find('\n')));
      out_ << '\n';
      if (r.first_failure && !r.first_failure->replay.empty())
        out_ << "    replay: " << r.first_failure->replay << '\n';
    }
    if (header || unmet > 0) out_ << '\n';
  }

  std::ostream& out_;
  ConsoleOptions options_;
  bool live_ = false;  // a progress line is on screen and must be erased first
  std::uint64_t repeat_ = 1;
  std::size_t total_ = 0;    // cases the run will report
  std::size_t started_ = 0;  // cases started so far, the k of the live line's k/N
};

}  // namespace

std::unique_ptr<Reporter> make_console_reporter(std::ostream& out, ConsoleOptions options) {
  return std::make_unique<ConsoleReporter>(out, options);
}

}  // namespace strain::report
