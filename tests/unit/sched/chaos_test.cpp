// The chaos strategy's mechanics, which end-to-end runs cannot show (there
// TSan or a bug's symptom would be found under any schedule): every trial
// gives the team a fresh priority order in which each thread has its own
// rank, the change points fall among the points a thread passed in its last
// trial, and at each one the thread really stops for the configured time.

#include "sched/chaos.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

#include "runtime/abi_types.hpp"
#include "sched/strategy.hpp"
#include "strain/strain.hpp"

namespace strain::sched {
namespace {

model::Strategy chaos(std::int64_t depth, double yield_p, double starve_us) {
  model::Strategy s;
  s.name = model::StrategyName::chaos;
  s.depth = depth;
  s.yield_p = yield_p;
  s.starve_min_us = starve_us;
  s.starve_max_us = starve_us;
  return s;
}

// The contexts and strategy states of a team of `n` threads under `s`, set up
// as the case runner sets them up (no threads are needed to look at them).
struct Team {
  Team(unsigned n, const model::Strategy& s) : ctx(n), ts(n) {
    for (unsigned k = 0; k < n; ++k) install(s, ctx[k], ts[k], k, n, nullptr);
  }
  void begin_trial(std::uint64_t seed) {
    for (auto& t : ts) reseed(t, seed);
  }
  std::vector<Context> ctx;
  std::vector<ThreadSched> ts;
};

TEST(Chaos, EveryTrialRanksTheTeamInAFreshPermutation) {
  constexpr unsigned kThreads = 5;
  Team team(kThreads, chaos(3, 0.8, 1));
  std::set<std::vector<double>> orders;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    team.begin_trial(seed);
    std::vector<double> yield_p;
    std::set<double> distinct;
    for (const auto& t : team.ts) {
      yield_p.push_back(t.chaos.my_yield_p);
      distinct.insert(t.chaos.my_yield_p);
    }
    // One thread per rank: yield_p * rank / (threads - 1) for rank 0..4.
    ASSERT_EQ(distinct.size(), kThreads) << "seed " << seed;
    EXPECT_DOUBLE_EQ(*distinct.begin(), 0.0);
    EXPECT_DOUBLE_EQ(*distinct.rbegin(), 0.8);
    orders.insert(yield_p);
    // The same seed gives the same order (replay).
    team.begin_trial(seed);
    for (unsigned k = 0; k < kThreads; ++k) EXPECT_EQ(team.ts[k].chaos.my_yield_p, yield_p[k]);
  }
  // 40 trials over 120 possible orders: far more than a handful must differ.
  EXPECT_GE(orders.size(), 20u);
}

TEST(Chaos, ChangePointsFallAmongThePointsOfTheLastTrial) {
  Team team(2, chaos(4, 0.0, 1));
  ChaosState& st = team.ts[0].chaos;
  team.begin_trial(7);
  ASSERT_EQ(st.changes, 3);  // depth - 1
  // Before any trial ran the thread expects 16 points.
  for (int j = 0; j < st.changes; ++j) {
    EXPECT_GE(st.change[j], 1u);
    EXPECT_LE(st.change[j], 16u);
  }
  // A trial of 400 points: the next trial's change points spread over them.
  for (int k = 0; k < 400; ++k) chaos_point(team.ctx[0], "p", nullptr, detail::Access::none);
  std::uint64_t highest = 0;
  for (std::uint64_t seed = 8; seed < 40; ++seed) {
    team.begin_trial(seed);
    for (int k = 0; k < 400; ++k) chaos_point(team.ctx[0], "p", nullptr, detail::Access::none);
    for (int j = 0; j < st.changes; ++j) {
      EXPECT_GE(st.change[j], 1u);
      EXPECT_LE(st.change[j], 400u);
      highest = std::max(highest, st.change[j]);
    }
  }
  EXPECT_GT(highest, 16u) << "change points must follow the learned length";
}

// At each of the depth - 1 change points the thread stops for at least
// starve_min_us: a lower bound, which a loaded machine only makes longer.
TEST(Chaos, AChangePointStarvesTheThread) {
  constexpr double kStarveUs = 3000;
  Team team(2, chaos(4, 0.0, kStarveUs));
  team.begin_trial(3);
  const int changes = team.ts[1].chaos.changes;
  ASSERT_EQ(changes, 3);
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < 16; ++k) chaos_point(team.ctx[1], "p", nullptr, detail::Access::none);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::microseconds(static_cast<int>(changes * kStarveUs)));
}

}  // namespace
}  // namespace strain::sched
