#include "cli/output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string_view>

#include "core/errors.hpp"
#include "core/output_path.hpp"

namespace strain::cli {

void add_report_option(CLI::App& cmd, std::vector<std::string>& reports) {
  cmd.add_option("--report", reports,
                 "also write a report: json:PATH, junit:PATH or html:PATH (repeatable) "
                 "(Env:STRAIN_REPORT, reports separated by spaces)")
      ->type_size(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

void add_output_options(CLI::App& cmd, OutputFlags& flags) {
  cmd.add_option("--color", flags.color, "auto, always or never")->envname("STRAIN_COLOR");
  auto* quiet =
      cmd.add_flag("--quiet", flags.quiet, "print only the summary")->envname("STRAIN_QUIET");
  cmd.add_flag("--verbose", flags.verbose,
               "also print each case's settings, a command to debug it, its metrics and what "
               "the plugin printed")
      ->envname("STRAIN_VERBOSE")
      ->excludes(quiet);
}

namespace {

// TERM=dumb names a terminal that understands neither colours nor the
// cursor movement the live line redraws itself with (Emacs' shell buffer,
// some CI log viewers).
bool dumb_terminal() {
  const char* term = std::getenv("TERM");
  return term != nullptr && std::string_view(term) == "dumb";
}

// The width of the terminal on stdout: the kernel's idea first, then
// $COLUMNS (set by shells for their children), then the classic 80.
std::size_t terminal_columns() {
  struct winsize ws {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n < 10000) return n;
  }
  return 80;
}

}  // namespace

bool use_color(const OutputFlags& f) {
  if (f.color != "auto" && f.color != "always" && f.color != "never")
    throw UsageError("--color must be auto, always or never, got '" + f.color + "'");
  if (f.color != "auto") return f.color == "always";
  // https://no-color.org: a NO_COLOR that is set and not empty turns colour
  // off by default; --color always still turns it on.
  if (const char* no = std::getenv("NO_COLOR"); no != nullptr && *no != '\0') return false;
  return ::isatty(STDOUT_FILENO) != 0 && !dumb_terminal();
}

report::Fanout make_reporters(const OutputFlags& f, const std::vector<std::string>& reports,
                              const std::vector<std::string>& inputs, bool merged) {
  report::Fanout out;
  const bool tty = ::isatty(STDOUT_FILENO) != 0 && !dumb_terminal();
  const bool color = use_color(f);
  out.add(report::make_console_reporter(
      std::cout, {tty, color, f.quiet, f.verbose, merged, tty ? terminal_columns() : 0}));
  std::vector<std::string> args = reports;
  // $STRAIN_REPORT is read here rather than by CLI11: a delimiter set for it
  // would split paths with spaces on the command line too.
  if (const char* env = std::getenv("STRAIN_REPORT"); env != nullptr && reports.empty()) {
    std::istringstream words(env);
    for (std::string r; words >> r;) args.push_back(r);
  }
  std::vector<std::string> paths;
  for (const auto& r : args) {
    out.add(report::make_file_reporter(r));  // throws for a bad name or no path
    const std::string path = r.substr(r.find(':') + 1);
    // Every report path is checked now, before any case runs: a report that
    // could not be written would otherwise be found out after all of them.
    check_output_path(path, inputs, "--report " + r);
    for (const auto& other : paths) {
      std::error_code ec;
      if (other == path || std::filesystem::equivalent(other, path, ec))
        throw UsageError("--report " + r + ": " + path + " is given for two reports");
    }
    paths.push_back(path);
  }
  return out;
}

bool finish_reports(report::Fanout& reporters, const model::RunSummary& summary) {
  try {
    reporters.run_finished(summary);
    return true;
  } catch (const std::exception& e) {
    // Checked before the run; only a change since (a disk filled, a folder
    // removed) lands here, and the other reports are still written.
    std::cerr << "strain: " << e.what() << "\n";
    return false;
  }
}

}  // namespace strain::cli
