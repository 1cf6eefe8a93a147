#pragma once
// YAML -> validated Spec, with every error of a file reported at once.

#include <functional>
#include <string>
#include <string_view>

#include "plugin/scenario_info.hpp"
#include "spec/spec.hpp"

namespace strain::spec {

//! Reads and validates the spec at `path` against the scenarios in
//! `catalog`, expanding its matrix into cases. Throws SpecError carrying
//! every error found (file unreadable, YAML syntax, unknown key, wrong type,
//! unknown plugin/role/param, value not allowed, bad invariant, ...).
//! `wanted`, if set: the spec's cases are those whose id it accepts; the
//! others are neither built nor checked (what is common to them all still
//! is). A worker runs one case, `run --filter` a few: expanding all 100,000
//! cases of a spec to run one took 1.3 s (issue 12).
using CaseFilter = std::function<bool(std::string_view id)>;
Spec load_spec(const std::string& path, const plugin::Catalog& catalog,
               const CaseFilter& wanted = {});

//! The same, from text; `path` is used for messages and the default name.
Spec parse_spec(std::string_view yaml, const std::string& path, const plugin::Catalog& catalog,
                const CaseFilter& wanted = {});

//! A CaseFilter that accepts the case `id` only.
CaseFilter only_case(std::string id);

//! Parses a duration: a number of seconds, or a number with a unit
//! (ns, us, ms, s, m, h), e.g. "250ms", "2s", 1.5. False when malformed.
bool parse_duration(std::string_view text, double& seconds);

}  // namespace strain::spec
