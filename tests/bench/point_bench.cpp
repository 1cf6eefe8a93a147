// What a schedule point costs under each strategy, and what strain::Atomic
// costs against std::atomic when no strategy is at work.
//
//   build/default/tests/bench/point_bench --benchmark_counters_tabular=true
//
// Under `none` a point is one predictable branch and an atomic one relaxed
// load more than std::atomic's. `random` and `chaos` are measured with their
// perturbations switched off (probabilities 0, no change points): what is
// left is each point's own bookkeeping. `controlled` is measured with one
// role thread (the scheduler's bookkeeping at a point with nobody to switch
// to) and with two role threads under the random walk (a hand-off of the
// turn at most points: the cost of a switch).

#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/strategy.hpp"
#include "strain/strain.hpp"

namespace {

using namespace strain;

// A role context under strategy `s`, installed on the calling thread.
struct Role {
  Context ctx;
  sched::ThreadSched ts;
  explicit Role(const model::Strategy& s, sched::Controller* controller = nullptr,
                unsigned index = 0, unsigned threads = 1) {
    sched::install(s, ctx, ts, index, threads, controller);
    sched::reseed(ts, 1);
  }
};

model::Strategy strategy(const char* name) {
  model::Strategy s;
  s.name = *model::strategy_name_from(name);
  s.depth = 1;  // chaos: no change points
  return s;
}

void BM_Point(benchmark::State& state, const char* name) {
  Role role(strategy(name));
  for (auto _ : state) role.ctx.point("bench");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Point, none, "none");
BENCHMARK_CAPTURE(BM_Point, random, "random");
BENCHMARK_CAPTURE(BM_Point, chaos, "chaos");

// `controlled` with `threads` role threads, each passing `points` points per
// trial (enough that starting the threads does not count); the time per
// point over all threads.
void BM_ControlledPoint(benchmark::State& state, const char* pick, unsigned threads, int points) {
  model::Strategy s = strategy("controlled");
  s.pick = *model::pick_from(pick);
  s.depth = 3;
  std::vector<std::string> names;
  for (unsigned k = 0; k < threads; ++k) names.push_back("t#" + std::to_string(k));
  sched::Controller controller(s, names);
  std::vector<std::unique_ptr<Role>> roles;
  for (unsigned k = 0; k < threads; ++k)
    roles.push_back(std::make_unique<Role>(s, &controller, k, threads));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    controller.begin_trial(seed++, std::nullopt);
    controller.first_turn();
    std::vector<std::thread> team;
    for (unsigned k = 0; k < threads; ++k) {
      team.emplace_back([&, k] {
        Context& ctx = roles[k]->ctx;
        sched::role_started(ctx);
        for (int p = 0; p < points; ++p) ctx.point("bench");
        sched::role_ended(ctx);
      });
    }
    for (auto& t : team) t.join();
    controller.end_trial();
  }
  state.SetItemsProcessed(state.iterations() * threads * points);
  state.counters["ns_per_point"] =
      benchmark::Counter(static_cast<double>(state.iterations() * threads * points),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Real time: the threads wait for each other, which CPU time would not show.
BENCHMARK_CAPTURE(BM_ControlledPoint, pct_one_thread, "pct", 1, 20000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ControlledPoint, pct_two_threads, "pct", 2, 20000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ControlledPoint, random_walk_two_threads, "random", 2, 500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// strain::Atomic under `none` against std::atomic. The flag the atomics test
// is off, as in a plugin whose roles run under `none`.
template <class A>
void BM_AtomicLoadRelaxed(benchmark::State& state) {
  detail::points_enabled.store(false);
  A a{1};
  for (auto _ : state) benchmark::DoNotOptimize(a.load(std::memory_order_relaxed));
}
template <class A>
void BM_AtomicLoadSeqCst(benchmark::State& state) {
  detail::points_enabled.store(false);
  A a{1};
  for (auto _ : state) benchmark::DoNotOptimize(a.load());
}
template <class A>
void BM_AtomicStoreRelease(benchmark::State& state) {
  detail::points_enabled.store(false);
  A a{1};
  std::int64_t v = 0;
  for (auto _ : state) {
    a.store(++v, std::memory_order_release);
    benchmark::ClobberMemory();
  }
}
template <class A>
void BM_AtomicFetchAdd(benchmark::State& state) {
  detail::points_enabled.store(false);
  A a{1};
  for (auto _ : state) benchmark::DoNotOptimize(a.fetch_add(1));
}
template <class A>
void BM_AtomicCompareExchange(benchmark::State& state) {
  detail::points_enabled.store(false);
  A a{0};
  std::int64_t v = 0;
  for (auto _ : state) {
    std::int64_t expected = v;
    benchmark::DoNotOptimize(a.compare_exchange_strong(expected, v + 1));
    ++v;
  }
}
using Std = std::atomic<std::int64_t>;
using Strain = strain::Atomic<std::int64_t>;
BENCHMARK_TEMPLATE(BM_AtomicLoadRelaxed, Std);
BENCHMARK_TEMPLATE(BM_AtomicLoadRelaxed, Strain);
BENCHMARK_TEMPLATE(BM_AtomicLoadSeqCst, Std);
BENCHMARK_TEMPLATE(BM_AtomicLoadSeqCst, Strain);
BENCHMARK_TEMPLATE(BM_AtomicStoreRelease, Std);
BENCHMARK_TEMPLATE(BM_AtomicStoreRelease, Strain);
BENCHMARK_TEMPLATE(BM_AtomicFetchAdd, Std);
BENCHMARK_TEMPLATE(BM_AtomicFetchAdd, Strain);
BENCHMARK_TEMPLATE(BM_AtomicCompareExchange, Std);
BENCHMARK_TEMPLATE(BM_AtomicCompareExchange, Strain);

}  // namespace

BENCHMARK_MAIN();
