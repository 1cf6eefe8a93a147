// What strain::ProcessPool costs: making and stopping a pool (fork and reap
// of its workers), and one task's round trip through the shared region. The
// chapter's examples time the pool's start-up with the work, so this is the
// floor under every parallel_s the specs show.
//
//   build/default/tests/bench/pool_bench

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "strain/process_pool.hpp"

namespace {

std::int64_t twice(std::int64_t x) { return 2 * x; }

// Make a pool of N workers, run one task, stop it.
void BM_PoolStartStop(benchmark::State& state) {
  const auto workers = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    strain::ProcessPool pool(&twice, {.workers = workers});
    benchmark::DoNotOptimize(pool.submit(1).get());
  }
}
BENCHMARK(BM_PoolStartStop)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();

// submit() and get() of one trivial task on a running pool.
void BM_PoolRoundTrip(benchmark::State& state) {
  strain::ProcessPool pool(&twice, {.workers = 2});
  std::int64_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(pool.submit(++k).get());
}
BENCHMARK(BM_PoolRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();

// map() of 1000 trivial tasks: the per-task cost when the workers stay busy.
void BM_PoolMap1000(benchmark::State& state) {
  strain::ProcessPool pool(&twice, {.workers = 2});
  std::vector<std::int64_t> args(1000, 3);
  for (auto _ : state) benchmark::DoNotOptimize(pool.map(args));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PoolMap1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
