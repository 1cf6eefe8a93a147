#pragma once
// Schedule perturbation at schedule points: `none` (nothing at all) and
// `random` (at each point: yield, spin or sleep with given probabilities).

#include <cstdint>

#include "spec/spec.hpp"
#include "strain/context.hpp"
#include "strain/rng.hpp"

namespace strain::sched {

//! Per-thread state of the random strategy. Its own generator, so the
//! scenario's random choices do not depend on how many points it passed.
struct RandomState {
  double yield_cut = 0.0;  // r < yield_cut: yield
  double spin_cut = 0.0;   // r < spin_cut: spin
  double sleep_cut = 0.0;  // r < sleep_cut: sleep
  std::int64_t spin_iters = 0;
  std::int64_t sleep_ns = 0;
  Rng rng;
};

//! Whether `name` is a strategy this build knows.
bool known_strategy(const std::string& name);

//! Sets up `ctx` and `state` for strategy `s`: under `none` ctx.point_fn
//! stays null, so point() is one predictable branch.
void install(const spec::Strategy& s, detail::ContextData& ctx, RandomState& state);

//! Restarts the strategy's randomness for a new trial.
void reseed(RandomState& state, std::uint64_t seed);

}  // namespace strain::sched
