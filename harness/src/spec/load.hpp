#pragma once
// YAML -> validated Spec, with every error of a file reported at once.

#include <string>
#include <string_view>

#include "plugin/scenario_info.hpp"
#include "spec/spec.hpp"

namespace strain::spec {

//! Reads and validates the spec at `path` against the scenarios in
//! `catalog`, expanding its matrix into cases. Throws SpecError carrying
//! every error found (file unreadable, YAML syntax, unknown key, wrong type,
//! unknown plugin/role/param, value not allowed, bad invariant, ...).
//! `only_case`, if not empty: the spec's cases are that one case only, and
//! the others are neither built nor checked (a worker runs one case of a
//! spec its parent loaded whole: issue 12 measured 0.9 s to expand 100,000).
Spec load_spec(const std::string& path, const plugin::Catalog& catalog,
               std::string_view only_case = {});

//! The same, from text; `path` is used for messages and the default name.
Spec parse_spec(std::string_view yaml, const std::string& path, const plugin::Catalog& catalog,
                std::string_view only_case = {});

//! Parses a duration: a number of seconds, or a number with a unit
//! (ns, us, ms, s, m, h), e.g. "250ms", "2s", 1.5. False when malformed.
bool parse_duration(std::string_view text, double& seconds);

}  // namespace strain::spec
