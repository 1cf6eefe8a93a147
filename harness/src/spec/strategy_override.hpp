#pragma once
// `--strategy` (and STRAIN_STRATEGY): one strategy for every case of a run,
// replacing what the specs name, as --seed replaces their seeds.

#include <string_view>

#include "spec/spec.hpp"

namespace strain::spec {

//! Replaces `c`'s strategy with `text` (one of model::strategy_flag_forms()) and records
//! the text in the case, so its replay lines repeat it. The knobs the spec
//! set stay (those of another strategy are ignored, as always). A case in
//! the processes topology, which the controlled scheduler cannot steer,
//! gets chaos for `controlled...` and `default`. Throws
//! std::invalid_argument for any other text.
void override_strategy(Case& c, std::string_view text);

}  // namespace strain::spec
