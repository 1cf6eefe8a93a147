// Trials per second of the persistent thread team against creating the
// threads anew for every trial, for the trivial two-role scenario and for
// bank_account (its sleeps scaled to zero, so the harness's cost shows).
//
//   build/default/tests/bench/team_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "exec/case_run.hpp"
#include "plugin/loader.hpp"
#include "runtime/abi_types.hpp"
#include "strain/context.hpp"

namespace {

using namespace strain;

const plugin::Catalog& catalog() {
  static const plugin::Catalog c =
      plugin::discover({STRAIN_TEST_PLUGIN_DIR "/trivial.so", STRAIN_PLUGIN_DIR "/bank_account.so",
                        STRAIN_PLUGIN_DIR "/shared_counter.so"});
  return c;
}

spec::Case make_case(const char* plugin, std::uint64_t trials) {
  spec::Case c;
  c.scenario = catalog().find(plugin);
  if (c.scenario == nullptr) {
    std::fprintf(stderr, "team_bench: plugin %s not found\n", plugin);
    std::exit(1);
  }
  c.plugin = plugin;
  c.id = std::string("bench/") + plugin;
  for (const auto& p : c.scenario->params) c.params.push_back(p.default_value);
  c.schedule.role_counts.assign(c.scenario->roles.size(), 1);
  c.schedule.trials = trials;
  c.schedule.budget_s = 1e9;
  c.schedule.time_scale = 0.0;
  return c;
}

void BM_PersistentTeam(benchmark::State& state, const char* plugin) {
  const std::uint64_t trials = 200000;
  const spec::Case c = make_case(plugin, trials);
  for (auto _ : state) {
    const model::CaseResult r = exec::run_case(c, exec::plan_for(c, {}));
    if (r.trials != trials) state.SkipWithError("not every trial ran");
  }
  state.counters["trials_per_s"] = benchmark::Counter(
      static_cast<double>(trials * state.iterations()), benchmark::Counter::kIsRate);
}

// shared_counter (2 workers x 10 locked increments) in either topology: the
// process topology's role processes persist across trials, so it should not
// be bound by process creation but stay near the thread topology.
void BM_SharedCounter(benchmark::State& state, spec::Topology topology) {
  const std::uint64_t trials = 20000;
  spec::Case c = make_case("shared_counter", trials);
  c.schedule.topology = topology;
  c.schedule.role_counts = {2};
  for (std::size_t k = 0; k < c.scenario->params.size(); ++k)
    if (c.scenario->params[k].name == "increments") c.params[k] = check::Value::integer(10);
  for (auto _ : state) {
    const model::CaseResult r = exec::run_case(c, exec::plan_for(c, {}));
    if (r.trials != trials) state.SkipWithError("not every trial ran");
  }
  state.counters["trials_per_s"] = benchmark::Counter(
      static_cast<double>(trials * state.iterations()), benchmark::Counter::kIsRate);
}

// The naive way: fresh threads for every trial.
void BM_ThreadsPerTrial(benchmark::State& state, const char* plugin) {
  const spec::Case c = make_case(plugin, 1);
  const auto* d = c.scenario->desc;
  std::vector<detail::ParamValue> params;
  for (const auto& v : c.params) {
    detail::ParamValue p;
    p.type = v.kind == check::Value::Kind::string   ? ParamType::string
             : v.kind == check::Value::Kind::number ? ParamType::number
                                                    : ParamType::integer;
    p.i = v.i;
    p.d = v.d;
    p.s = v.s.c_str();
    p.s_len = v.s.size();
    params.push_back(p);
  }
  std::vector<detail::MetricSlot> metrics(d->n_metrics);
  std::vector<std::uint32_t> counts(d->n_roles, 1);
  auto init = [&](Context& ctx, std::uint32_t role) {
    strain::detail::context_data(ctx).desc = d;
    strain::detail::context_data(ctx).params = params.data();
    strain::detail::context_data(ctx).role_counts = counts.data();
    strain::detail::context_data(ctx).time_scale = 0.0;
    strain::detail::context_data(ctx).role = role;
  };
  Context main;
  init(main, 0);
  strain::detail::context_data(main).metrics = metrics.data();
  std::vector<Context> ctx(d->n_roles);
  for (std::uint32_t r = 0; r < d->n_roles; ++r) init(ctx[r], r);
  void* mem = ::operator new(d->state_size, std::align_val_t(d->state_align));
  std::uint64_t trials = 0;
  for (auto _ : state) {
    if (!d->construct(mem, main)) state.SkipWithError("setup failed");
    std::vector<std::thread> threads;
    for (std::uint32_t r = 0; r < d->n_roles; ++r)
      threads.emplace_back([&, r] { d->run_role(mem, r, ctx[r]); });
    for (auto& t : threads) t.join();
    d->check(mem, main);
    d->destroy(mem);
    ++trials;
  }
  ::operator delete(mem, std::align_val_t(d->state_align));
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_PersistentTeam, trivial, "trivial")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ThreadsPerTrial, trivial, "trivial")->UseRealTime();
BENCHMARK_CAPTURE(BM_PersistentTeam, bank_account, "bank_account")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ThreadsPerTrial, bank_account, "bank_account")->UseRealTime();

}  // namespace

BENCHMARK_CAPTURE(BM_SharedCounter, threads, spec::Topology::threads)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SharedCounter, processes, spec::Topology::processes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
