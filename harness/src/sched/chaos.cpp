#include "sched/chaos.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

namespace strain::sched {

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

void chaos_configure(const spec::Strategy& s, unsigned threads, ChaosState& st) {
  st.active = true;
  st.depth = s.depth;
  st.yield_p = s.yield_p;
  st.starve_min_ns = s.starve_min_us * 1e3;
  st.starve_max_ns = std::max(s.starve_max_us, s.starve_min_us) * 1e3;
  st.threads = threads;
}

void chaos_begin_trial(ThreadSched& ts, std::uint64_t trial_seed) {
  ChaosState& st = ts.chaos;
  // The priority order: a permutation every thread computes alike.
  Rng order(trial_seed ^ 0x3c6ef372fe94f82bULL);
  unsigned rank = ts.index;
  if (st.threads > 1) {
    std::vector<unsigned> perm(st.threads);
    for (unsigned k = 0; k < st.threads; ++k) perm[k] = k;
    for (unsigned k = st.threads; k > 1; --k)
      std::swap(perm[k - 1], perm[static_cast<unsigned>(order.uniform(0, k - 1))]);
    rank = perm[ts.index];
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
  auto& ts = *static_cast<ThreadSched*>(ctx.d_.sched);
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
