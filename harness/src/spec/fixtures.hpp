#pragma once
// The `fixtures:` part of a spec (spec level and case level): which real
// services a case gets, and their options, validated with file:line:col.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <vector>

#include "fixtures/site_options.hpp"
#include "spec/matrix.hpp"

namespace strain::spec::detail {

//! One validated site option.
using SiteAssign = std::function<void(fixtures::SiteOptions&)>;

//! The fixtures as parsed so far: the spec's, then a case's on top.
struct FixtureSettings {
  bool site = false;
  std::vector<SiteAssign> site_options;  // applied in order over the defaults
  SourceLoc site_loc;                    // where the site was last configured
};

//! Parses a `fixtures:` map into `out`, adding to what it holds (a case's
//! options override the spec's one by one). Reports every error.
void parse_fixtures(Diagnostics& diags, const YAML::Node& n, FixtureSettings& out);

//! The site options a case runs with, or nothing when it has no site. Checks
//! what only the merged options show (offsite_rate + broken_rate <= 1).
std::optional<fixtures::SiteOptions> resolve_site(Diagnostics& diags, const FixtureSettings& f);

}  // namespace strain::spec::detail
