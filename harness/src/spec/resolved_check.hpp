#pragma once
// The checks of a case that can only be made once every level of the spec
// (plugin defaults, spec, case, matrix point) has been applied: role counts
// against the plugin's minimums and the limits, strategy settings that
// depend on each other, and where a batch can run.

#include "plugin/scenario_info.hpp"
#include "spec/matrix.hpp"
#include "spec/yaml_read.hpp"

namespace strain::spec::detail {

//! Reports what does not hold of `r` (a case of `scenario`, with a site
//! fixture if `site`) where it was last set, deduplicated across the
//! matrix's points by `diags`.
void check_resolved(Diagnostics& diags, const plugin::ScenarioInfo& scenario, const Resolved& r,
                    bool site);

}  // namespace strain::spec::detail
