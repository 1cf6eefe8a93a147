#pragma once
// strain's exit codes: one table that `strain --help` prints and a test
// checks docs/cli.md and README.md against, so the three cannot drift.

#include <array>
#include <string_view>

namespace strain::cli {

inline constexpr int kExitMet = 0;
inline constexpr int kExitUnmet = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

struct ExitCode {
  int code;
  std::string_view meaning;
};

inline constexpr std::array<ExitCode, 5> kExitCodes = {{
    {kExitMet,
     "every case met its expectation (run, merge); the trial passed every time (replay); "
     "the command did what was asked (list, validate, plugins, new)"},
    {kExitUnmet,
     "at least one case did not meet its expectation (run, merge); the trial failed again "
     "(replay)"},
    {kExitUsage,
     "usage, spec or input error, nothing was run: bad flag or environment variable, spec "
     "error, unknown case, a report path that cannot or must not be written (not a regular "
     "file, one of the inputs), inconsistent shard reports (merge), existing folder (new); "
     "also a report that failed to be written after the run"},
    {kExitInterrupted,
     "interrupted by SIGINT (Ctrl-C) or SIGTERM; the reports of the cases that finished "
     "were written"},
    {134,
     "strain itself aborted on a broken internal invariant (a bug in strain: please report "
     "it with the message)"},
}};

}  // namespace strain::cli
