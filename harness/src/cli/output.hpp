#pragma once
// The output flags `run`, `merge` and `replay` share (--report, --color, --quiet,
// --verbose), each also read from its STRAIN_* environment variable.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "report/reporter.hpp"

namespace strain::cli {

struct OutputFlags {
  std::string color = "auto";
  bool quiet = false;
  bool verbose = false;
};

//! --report NAME:PATH (repeatable; $STRAIN_REPORT holds one or more,
//! separated by spaces).
void add_report_option(CLI::App& cmd, std::vector<std::string>& reports);

//! --color, --quiet, --verbose.
void add_output_options(CLI::App& cmd, OutputFlags& flags);

//! Whether to colour stdout under `flags.color` (auto: when it is a
//! terminal). Throws UsageError for a bad --color.
bool use_color(const OutputFlags& flags);

//! The console reporter on stdout plus one file reporter per --report
//! (`merged`: the console says the cases were merged, not run). Throws
//! UsageError for a bad --color or --report, and for a report path that
//! could not be written or must not be: not a regular file, one of
//! `inputs` (the files the command reads), or given twice.
report::Fanout make_reporters(const OutputFlags& flags, const std::vector<std::string>& reports,
                              const std::vector<std::string>& inputs, bool merged = false);

//! Ends the run for every reporter (file reporters write their files). False,
//! with the reason on stderr, when a report could not be written after all.
bool finish_reports(report::Fanout& reporters, const model::RunSummary& summary);

}  // namespace strain::cli
