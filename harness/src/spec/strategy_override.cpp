#include "spec/strategy_override.hpp"

#include <stdexcept>
#include <string>

#include "model/strategy.hpp"
#include "spec/default_strategy.hpp"

namespace strain::spec {

void override_strategy(Case& c, std::string_view text) {
  Strategy& s = c.schedule.strategy;
  const std::string t(text);
  const auto slash = t.find('/');
  const std::string name_text = t.substr(0, slash);
  const std::optional<model::StrategyName> name = model::strategy_name_from(name_text);
  std::optional<model::Pick> pick;
  if (slash != std::string::npos) pick = model::pick_from(t.substr(slash + 1));
  const bool is_default = model::is_default_strategy(name_text) && slash == std::string::npos;
  const bool pick_ok =
      slash == std::string::npos || (pick.has_value() && name == model::StrategyName::controlled);
  if ((!name && !is_default) || !pick_ok)
    throw std::invalid_argument("--strategy must be one of: " + model::strategy_flag_forms() +
                                "; got '" + t + "'");
  if (is_default) {
    set_default_strategy(s, c.schedule.topology);
  } else if (!model::info(*name).runs_processes && c.schedule.topology == Topology::processes) {
    s.name = model::StrategyName::chaos;  // what the controlled scheduler cannot steer
  } else {
    s.name = *name;
    if (pick) s.pick = *pick;
  }
  // As the spec loader does for `random` named without a probability.
  give_random_a_probability(s);
  c.strategy_flag = t;
  c.strategy_defaulted = is_default;
}

}  // namespace strain::spec
