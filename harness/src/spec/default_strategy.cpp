#include "spec/default_strategy.hpp"

namespace strain::spec {

// With no probability given, `random` would do nothing at all at its points
// and run as `none`: a user who wrote `strategy: random` asked for
// something. One point in ten yields, as the shipped specs found enough to
// open most windows.
constexpr double kRandomDefaultYield = 0.1;

void apply_default_strategy(detail::Resolved& r) {
  Strategy& s = r.schedule.strategy;
  if (!r.strategy_named) {
    if (r.schedule.topology == Topology::threads) {
      s.name = model::StrategyName::controlled;
      if (!r.pick_named) s.pick = model::Pick::portfolio;
      if (!r.weak_memory_named) s.weak_memory = true;
    } else {
      s.name = model::StrategyName::chaos;
    }
  }
  give_random_a_probability(s);
}

void set_default_strategy(Strategy& s, Topology topology) {
  if (topology == Topology::threads) {
    s.name = model::StrategyName::controlled;
    s.pick = model::Pick::portfolio;
    s.weak_memory = true;
  } else {
    s.name = model::StrategyName::chaos;
  }
}

void give_random_a_probability(Strategy& s) {
  if (s.name == model::StrategyName::random && s.yield_p + s.spin_p + s.sleep_p == 0.0)
    s.yield_p = kRandomDefaultYield;
}

}  // namespace strain::spec
