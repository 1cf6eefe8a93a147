#pragma once
// --intensity: one knob over every case's trials and budget, as jcstress's
// -m (sanity, quick, default, tough, stress) is over its iterations: a quick
// smoke run in CI, a long soak overnight, from the same specs.

#include <string>

#include "spec/spec.hpp"

namespace strain::cli {

//! The factor a --intensity value stands for: a number > 0 (0.1, 10), or
//! `quick` (0.1), `default` (1), `tough` (10), `stress` (100). Throws
//! UsageError for anything else.
double parse_intensity(const std::string& text);

//! Scales the case's trials (at least 1) and budget by `factor`; the
//! per-trial timeout, a property of one trial, stays.
void apply_intensity(spec::Case& c, double factor);

}  // namespace strain::cli
