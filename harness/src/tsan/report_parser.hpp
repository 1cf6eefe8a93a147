#pragma once
// Parses ThreadSanitizer's text reports into structured data, so the harness
// can classify, attribute and de-duplicate them.
//
// Why text: the report API (__tsan_get_report_data and friends) is an
// internal hook for debuggers, not a stable public interface; it only works
// inside the reporting process, from a callback, and hands back raw PCs that
// we would still have to symbolize. The text is what TSan documents, what
// users see and paste into bug reports, and it reaches us anyway on a child's
// stderr. Its shape has been stable for a decade, across clang and gcc.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strain::tsan {

//! One stack frame, e.g. `#0 foo(int) /path/file.cpp:12:5 (libx.so+0x1234)`.
struct Frame {
  int index = 0;
  std::string function;  // empty when TSan printed <null>
  std::string file;      // empty when TSan printed <null>
  int line = 0;          // 0 when unknown
  int column = 0;        // 0 when unknown (gcc prints no columns)
  std::string module;    // e.g. "libx.so"; empty when not printed
  std::string address;   // offset in the module, e.g. "0x1234"
};

//! One memory access of a race, or one edge of a lock-order cycle.
struct Access {
  std::string what;  // the header line, e.g. "Write of size 4 at 0x... by thread T1"
  bool write = false;
  bool atomic = false;
  int size = 0;
  std::string address;                    // e.g. "0x7b0c00000010"; empty for an edge
  std::string thread;                     // "T1" or "main thread"
  std::vector<std::string> mutexes_held;  // e.g. "write M0"; for a lock-order edge, "M0"
  std::vector<Frame> stack;
};

//! One report, from its WARNING line to its SUMMARY line.
struct Report {
  std::string kind;     // after "WARNING: ThreadSanitizer: ", without " (pid=N)"
  std::string outcome;  // "race", "deadlock" or "crash"; see outcome_for_kind()
  std::vector<Access> accesses;
  std::string location;              // the "Location is ..." line, top user frame folded in
  std::vector<std::string> mutexes;  // the lock-order cycle, then "Mutex M0 (...) created at:"
                                     // lines with their top user frame folded in
  std::vector<std::string> threads;  // "Thread T1 (tid=..., running) created by ... at:" lines
  std::vector<Frame> stack;          // the report's own stack when it is not an access's: the
                                     // top stack of signal-unsafe, errno and SEGV reports, or
                                     // where a leaked thread was created
  std::string summary;               // the SUMMARY line without "SUMMARY: ThreadSanitizer: "
  std::string signature;             // stable across runs; see parse_reports()
  std::string text;                  // the raw report text, at most kMaxReportText bytes
};

inline constexpr std::size_t kMaxReportText = 64 * 1024;

//! Maps a kind to an outcome name (strain::model::Outcome spelling): a
//! lock-order inversion is "deadlock"; everything else TSan warns about (data
//! races, use-after-free, thread leaks, mutex misuse, signal-unsafe calls) is
//! "race". An "ERROR: ThreadSanitizer:" report (SEGV and other deadly signals
//! caught by TSan) is "crash": the child died, whatever TSan adds.
std::string outcome_for_kind(std::string_view kind, bool error_report = false);

//! Splits `output` (a child's whole stderr, possibly interleaved with other
//! text) into reports. Tolerates truncation (a report cut short still yields
//! what was read) and junk between reports.
//!
//! The signature is the kind plus, for each access (sorted, since which side
//! is "current" depends on timing), the top two frames outside the TSan
//! runtime, libc and the C++ standard library, as "function file:line", after
//! the top frame's function when that is an interceptor ("pthread_mutex_lock",
//! "malloc"). It holds no addresses, pids, tids, thread numbers, columns or
//! directories (a file is named by its base name), so the same bug seen twice,
//! or built in two checkouts, gets one signature. Reports without accesses use
//! their own stack.
std::vector<Report> parse_reports(std::string_view output);

//! The first report of each signature, in order, and how often it was seen.
struct Deduped {
  Report report;
  int count = 0;
};
std::vector<Deduped> deduplicate(std::vector<Report> reports);

//! A short rendering for a console: the kind, each access (its header and its
//! top `frames` user frames as "fn file:line"), then the location.
std::string brief(const Report& r, int frames = 3);

//! The top `n` frames worth showing: user frames, or the raw top frames when
//! the stack has none (a stack entirely inside the runtime still says
//! something).
std::vector<Frame> top_frames(const std::vector<Frame>& stack, int n);

//! True for frames of the TSan runtime, libc or the C++ standard library, and
//! frames without symbols: the frames that say nothing about the user's bug.
bool is_runtime_frame(const Frame& f);

}  // namespace strain::tsan
