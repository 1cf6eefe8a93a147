#pragma once
// A role thread's strategy state: what ContextData::sched points to. Plain
// data, since it lives in the case's arena, which the process topology maps
// into every role process.

#include <cstdint>

#include "core/apart.hpp"
#include "strain/rng.hpp"

namespace strain::sched {

class Controller;

//! The random strategy: at each point yield, spin or sleep.
struct RandomState {
  double yield_cut = 0.0;  // r < yield_cut: yield
  double spin_cut = 0.0;   // r < spin_cut: spin
  double sleep_cut = 0.0;  // r < sleep_cut: sleep
  std::int64_t spin_iters = 0;
  std::int64_t sleep_ns = 0;
};

//! The chaos strategy (see chaos.hpp).
struct ChaosState {
  static constexpr int kMaxChanges = 16;
  // Configuration.
  bool active = false;  // the strategy is chaos
  std::int64_t depth = 3;
  double yield_p = 0.0;
  double starve_min_ns = 1e3;
  double starve_max_ns = 1e6;
  unsigned threads = 1;
  // Per trial.
  double my_yield_p = 0.0;                 // this thread's: yield_p scaled by its priority rank
  std::uint64_t points = 0;                // points passed this trial
  std::uint64_t expected = 16;             // points the thread passed in its last trial
  std::uint64_t change[kMaxChanges] = {};  // points at which it is starved
  int changes = 0;
};

// Apart (core/apart.hpp): the roles' states lie side by side in one array
// and each role writes its own at every trial.
struct alignas(core::kApart) ThreadSched {
  Rng rng;             // the strategy's own, so the scenario's draws do not depend on points
  unsigned index = 0;  // the thread's index in the team
  Controller* controller = nullptr;  // controlled only
  RandomState random;
  ChaosState chaos;
};

}  // namespace strain::sched
