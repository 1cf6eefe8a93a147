#include "spec/strategy_override.hpp"

#include <stdexcept>
#include <string>

namespace strain::spec {

void override_strategy(Case& c, std::string_view text) {
  Strategy& s = c.schedule.strategy;
  const std::string t(text);
  std::string name = t, pick;
  if (const auto slash = t.find('/'); slash != std::string::npos) {
    name = t.substr(0, slash);
    pick = t.substr(slash + 1);
  }
  const bool known_pick =
      pick.empty() || pick == "pct" || pick == "pos" || pick == "random" || pick == "portfolio";
  const bool known_name = name == "none" || name == "random" || name == "chaos" ||
                          name == "controlled" || name == "default";
  if (!known_name || !known_pick || (!pick.empty() && name != "controlled"))
    throw std::invalid_argument("--strategy must be one of: " + std::string(kStrategyForms) +
                                "; got '" + t + "'");
  const bool steerable = c.schedule.topology == Topology::threads;
  if (name == "default") {
    name = steerable ? "controlled" : "chaos";
    if (steerable) {
      pick = "portfolio";
      s.weak_memory = true;
    }
  } else if (name == "controlled" && !steerable) {
    name = "chaos";
    pick.clear();
  }
  s.name = name;
  if (!pick.empty()) s.pick = pick;
  // As the spec loader does for `random` named without a probability.
  if (s.name == "random" && s.yield_p + s.spin_p + s.sleep_p == 0.0) s.yield_p = 0.1;
  c.strategy_flag = t;
}

}  // namespace strain::spec
