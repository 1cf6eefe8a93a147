#include "sched/chaos.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "runtime/abi_types.hpp"

namespace strain::sched {

static_assert(model::Strategy::kChaosMaxDepth == ChaosState::kMaxChanges + 1,
              "the spec's ceiling on chaos depth is the per-thread change array's size + 1");

namespace {

// Starvation shorter than this is spun rather than slept: a sleep costs the
// kernel's timer slack (50 us by default) whatever was asked.
constexpr double kSpinBelowNs = 50'000;

void starve(double ns) {
  if (ns < kSpinBelowNs) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
    while (std::chrono::steady_clock::now() < until) {
    }
    return;
  }
  const auto whole = static_cast<std::int64_t>(ns);
  timespec ts{static_cast<time_t>(whole / 1'000'000'000), static_cast<long>(whole % 1'000'000'000)};
  ::nanosleep(&ts, nullptr);
}

}  // namespace

void chaos_configure(const model::Strategy& s, unsigned threads, ChaosState& st) {
  st.active = true;
  st.depth = s.depth;
  st.yield_p = s.yield_p;
  st.starve_min_ns = s.starve_min_us * 1e3;
  st.starve_max_ns = std::max(s.starve_max_us, s.starve_min_us) * 1e3;
  st.threads = threads;
}

void chaos_begin_trial(ThreadSched& ts, std::uint64_t trial_seed) {
  ChaosState& st = ts.chaos;
  // The priority order, a random permutation every thread derives alike: each
  // thread k has a key drawn from the trial seed, and a thread's rank is the
  // number of keys that sort before its own (ties by index). O(threads) and
  // no allocation, since this runs at the start of every trial.
  const auto key = [trial_seed](unsigned k) {
    std::uint64_t state = trial_seed ^ 0x3c6ef372fe94f82bULL ^ (std::uint64_t{k} << 32);
    return Rng::splitmix64(state);
  };
  const std::uint64_t mine = key(ts.index);
  unsigned rank = 0;
  for (unsigned k = 0; k < st.threads; ++k) {
    const std::uint64_t other = key(k);
    if (other < mine || (other == mine && k < ts.index)) ++rank;
  }
  // Rank 0 runs freely; the last yields at a point with probability yield_p.
  st.my_yield_p = st.threads > 1 ? st.yield_p * rank / (st.threads - 1) : 0.0;
  if (st.points > 0) st.expected = st.points;
  st.points = 0;
  st.changes = static_cast<int>(std::clamp<std::int64_t>(st.depth - 1, 0, ChaosState::kMaxChanges));
  for (int j = 0; j < st.changes; ++j)
    st.change[j] = static_cast<std::uint64_t>(ts.rng.uniform(1, std::int64_t(st.expected)));
}

void chaos_point(Context& ctx, const char*, const void*, detail::Access kind) noexcept {
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(ctx).sched);
  ChaosState& st = ts.chaos;
  ++st.points;
  if (kind == detail::Access::yield) {
    ::sched_yield();
    return;
  }
  for (int j = 0; j < st.changes; ++j) {
    if (st.change[j] != st.points) continue;
    const double lo = std::log(st.starve_min_ns), hi = std::log(st.starve_max_ns);
    starve(std::exp(lo + (hi - lo) * ts.rng.real()));
  }
  if (st.my_yield_p > 0 && ts.rng.chance(st.my_yield_p)) ::sched_yield();
}

}  // namespace strain::sched
