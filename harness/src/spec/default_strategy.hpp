#pragma once
// The strategy of a case whose spec, case and matrix name none.

#include "spec/matrix.hpp"

namespace strain::spec {

//! Fills in what `r` left unnamed: in the threads topology the controlled
//! scheduler with the portfolio pick and the weak memory model (every
//! failure replays exactly, and the portfolio found every detection kernel
//! where each single pick missed some); in the processes topology, which
//! the controlled scheduler cannot steer, chaos. Also gives `random` named
//! without any probability a yield probability, so it is not plain `none`.
void apply_default_strategy(detail::Resolved& r);

//! The default of a case in `topology` (apply_default_strategy's), for
//! `--strategy default`: the knobs `s` holds stay.
void set_default_strategy(Strategy& s, Topology topology);

//! `random` with no probability yields at one point in ten.
void give_random_a_probability(Strategy& s);

}  // namespace strain::spec
