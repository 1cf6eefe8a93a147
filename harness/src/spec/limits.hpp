#pragma once
// The bounds on what a spec may ask for. Each exists because an input past it
// did harm instead of failing (issue 13): a 4 GB spec exhausted memory, a
// 12-axis matrix of 10 values ate 7.4 GB before the first case ran, a
// 2600000h budget wrapped the deadline into the past, 100,000 role threads
// aborted the worker. A spec past a bound is rejected whole, at the key that
// crossed it, with the bound named in the message.

#include <cstdint>

namespace strain::spec::limits {

//! Bytes of one spec file. The shipped specs are 1-5 KiB.
constexpr std::uint64_t kMaxSpecBytes = 1 << 20;

//! Cases one spec file expands into, over all its case entries and their
//! matrices. Checked on the product of the axes before any is expanded.
//! 100,000 cases take 0.9 s and 170 MB to list or validate (issue 12 asks
//! for such specs; the harm above was at 10^12).
constexpr std::uint64_t kMaxCases = 100000;

//! Role instances of one case (threads or processes), summed over roles.
constexpr std::int64_t kMaxRoleInstances = 1024;

//! `budget` and `timeout`: a week. Past about 292 years a deadline in
//! nanoseconds wraps; a week is far beyond any stress case and far below that.
constexpr double kMaxDurationS = 7 * 24 * 3600.0;

//! `time_scale`: a scenario's sleeps are tenths of a second to seconds, so a
//! factor of 1000 already makes them minutes; 1e308 overflowed the sleep's
//! duration and silently dropped it.
constexpr double kMaxTimeScale = 1000.0;

//! `batch`: trials one start of the thread team runs. The team sets up that
//! many states at once (contexts of ~0.5 KB each per role), and past a few
//! dozen the start barrier's cost is already spread thin (docs/performance.md).
constexpr std::int64_t kMaxBatch = 1024;
//! A batch's role contexts (batch times role instances), each ~0.6 KB and
//! touched at set-up: 1024 x 1024 would be ~670 MB before the first trial.
constexpr std::int64_t kMaxBatchContexts = 65536;

}  // namespace strain::spec::limits
