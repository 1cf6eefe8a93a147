#pragma once
// Number and text formatting shared by the reporters, so that the console,
// JUnit and any later HTML report spell durations, rates and counts alike.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/outcome.hpp"
#include "model/result.hpp"

namespace strain::report {

//! Seconds with millisecond precision and never an exponent: "0.012", "1234.500".
//! Negative, NaN and infinite inputs become "0.000" because a report field
//! must stay parseable whatever the clock did.
std::string format_seconds(double s);

//! A rate with an SI suffix and one decimal: "950.0", "412.3k", "1.2M".
std::string format_rate(double per_s);

//! The seed of a run as the reports print it: "7 (--seed)", "42" (every
//! case from specs with that seed), or "each spec's own" when the specs
//! have different seeds (each replay line then carries its case's).
std::string format_run_seed(std::uint64_t seed, bool overridden, bool per_spec);

//! A trial seed as the runner prints it: "0x" and 16 hex digits.
std::string format_seed(std::uint64_t seed);

//! How far a controlled/dfs search got: "all 24 interleavings explored",
//! "all 9 interleavings with at most 1 preemption explored", "24
//! interleavings explored; the search did not finish".
std::string format_exploration(const model::Exploration& e);

//! The non-zero counts, in outcome order: "pass=19998 violation=2"; "-" when all are zero.
std::string format_counts(const model::OutcomeCounts& counts);

//! The non-zero counts of failure outcomes only: "violation 3 hang 1"; "" when none.
std::string format_failure_counts(const model::OutcomeCounts& counts);

//! A measured value with four significant digits and never an exponent:
//! "0.01235", "1.730", "123.5", "45679"; a whole number as one ("8"); NaN
//! and infinities as "nan", "inf".
std::string format_number(double v);

//! The `show:` metrics of a case on one line: each as "name mean [min..max]",
//! then "(mean [min..max] of N trials)"; a metric recorded by fewer trials
//! than the others says so ("n=K"), one recorded by none shows "-". "" when
//! there are none.
std::string format_measured(const std::vector<model::Measured>& measured);

//! `text` with control characters other than tab and newline spelled "\xNN",
//! so a plugin's message cannot move the cursor or recolour a terminal.
std::string printable(std::string_view text);

//! The same for text that must stay on one line (a case id in a table row):
//! tab, CR and LF are spelled "\xNN" too, as are C1 controls (U+0080 to
//! U+009F, which some terminals obey as escape sequences).
std::string printable_line(std::string_view text);

//! `text` escaped for XML 1.0 and HTML, in text or (`attribute`) in an
//! attribute value: markup characters as entities, control characters as
//! the visible text "\xNN", malformed UTF-8 as U+FFFD.
std::string escape_xml(std::string_view text, bool attribute = false);

}  // namespace strain::report
