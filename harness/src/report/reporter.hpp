#pragma once
// One interface for every reporter (STYLE.md, point 4). Events are declared in
// the order they fire. The console streams; file reporters collect and write
// at run_finished, atomically.

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace strain::report {

class Reporter {
 public:
  virtual ~Reporter() = default;
  //! The run starts; `info` lists the cases that will run, in order.
  virtual void run_started(const model::RunInfo& info) { (void)info; }
  //! A case starts.
  virtual void case_started(const std::string& id) { (void)id; }
  //! The running case made progress (throttled by the caller to ~10/s).
  virtual void case_progress(const model::CaseProgress& progress) { (void)progress; }
  //! A case ended, with its verdict.
  virtual void case_finished(const model::CaseResult& result) { (void)result; }
  //! The run ended; file reporters write their file here.
  virtual void run_finished(const model::RunSummary& summary) { (void)summary; }
};

//! Sends every event to several reporters, in order.
class Fanout : public Reporter {
 public:
  void add(std::unique_ptr<Reporter> r) { reporters_.push_back(std::move(r)); }
  void run_started(const model::RunInfo& i) override;
  void case_started(const std::string& id) override;
  void case_progress(const model::CaseProgress& p) override;
  void case_finished(const model::CaseResult& r) override;
  void run_finished(const model::RunSummary& s) override;

 private:
  std::vector<std::unique_ptr<Reporter>> reporters_;
};

struct ConsoleOptions {
  bool tty = false;         // live progress line with \r; plain lines otherwise
  bool color = false;       // ANSI colours for verdicts
  bool quiet = false;       // summary table only
  bool verbose = false;     // also each case's metrics and the plugin's output
  bool merged = false;      // the cases come from reports (strain merge), not a run
  std::size_t columns = 0;  // the terminal's width, which the live line keeps within; 0: none
};

//! The console reporter, streaming to `out`.
std::unique_ptr<Reporter> make_console_reporter(std::ostream& out, ConsoleOptions options);

//! A file reporter from "name:path" (json:out.json, junit:out.xml,
//! html:out.html). Throws
//! UsageError for an unknown name or a missing path.
std::unique_ptr<Reporter> make_file_reporter(std::string_view arg);

//! The names make_file_reporter accepts.
std::vector<std::string> file_reporter_names();

}  // namespace strain::report
