#pragma once
// ThreadSanitizer's report callback, defined in the host so that it fires
// (a hook defined in a plugin never does: the runtime binds it in the
// executable). The runner reads the count before and after each trial to
// attribute each report to the trial during which it was made.

#include <cstdint>

#include "model/outcome.hpp"

namespace strain::exec {

//! How many reports ThreadSanitizer made so far in this process (0 in a
//! plain build).
std::uint64_t sanitizer_report_count() noexcept;

//! The outcome the latest report stands for: `deadlock` for a lock-order
//! inversion, `race` for everything else (data race, use after free, ...).
model::Outcome last_sanitizer_outcome() noexcept;

//! TSan's own name of the latest report kind, e.g. "data-race".
const char* last_sanitizer_kind() noexcept;

}  // namespace strain::exec
