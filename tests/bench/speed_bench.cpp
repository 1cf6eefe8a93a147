// Strain's trial loop against native programs doing the same trivial work,
// in one run, so the ratios hold on whatever machine and load it runs on
// (ci/bench runs it quiet and again beside two busy loops, issue 12):
//  - BM_NativeTeam/n: n persistent threads that start each trial on a
//    generation counter (spin, then a futex) and end it on a count, the
//    last one starting the next: the thread topology's ideal;
//  - BM_NativePair/n: the same with n forked processes over a shared
//    mapping, no third party: the process topology's ideal;
//  - BM_NativeTeamStep/2, BM_NativePairStep/2: the same, running the
//    trivial scenario's roles, check, destroy and set-up through its
//    descriptor: the scenario's own cost without the harness's;
//  - BM_Strain/threads|processes/none|pct/n: the trivial scenario (each role
//    stores one value; n role instances) run by the harness;
//  - BM_NativeHandOff: two threads handing a turn back and forth on a futex,
//    what one controlled hand-off costs at best, against
//    BM_StrainHandOff: the trivial scenario under controlled/random with
//    many bare points, whose turns alternate between the two roles
//    (/0 threads, /1 the roles as fibers: BM_NativeFiberSwitch is its
//    floor, two Boost.Context fibers switching);
//  - BM_StrainFibers/n: controlled/pct with the roles as fibers, against
//    BM_Strain/threads_controlled/n.
//
//   build/default/tests/bench/speed_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/context/fiber.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "exec/case_run.hpp"
#include "plugin/loader.hpp"
#include "runtime/abi_types.hpp"

namespace {

using namespace strain;

// Futex calls on a word that may be shared between processes (no
// FUTEX_PRIVATE_FLAG), as the native pair needs.
void futex_wait(std::atomic<std::uint32_t>& w, std::uint32_t seen) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAIT, seen, nullptr, nullptr, 0);
}
void futex_wake_all(std::atomic<std::uint32_t>& w) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAKE, INT32_MAX, nullptr,
            nullptr, 0);
}

// What a careful native program does to start its team: spin a while (a
// free core answers in well under a microsecond), then sleep on the futex,
// as long as Strain's team spins when it may (exec/thread_team.cpp). With
// only 2,000 turns of spin (a few microseconds) this baseline swung between
// 0.12 and 2.5 M trials/s on a quiet 2-core VM from one run to the next.
constexpr std::int64_t kNativeSpinNs = 400'000;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The coordination both native baselines share, in memory either threads or
// processes map: a trial begins when `generation` moves and ends when
// `remaining` reaches 0; the member that brings it there starts the next.
struct Sync {
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> remaining{0};
  std::atomic<std::uint32_t> sleepers{0};
  std::atomic<std::uint64_t> trials{0};
  std::atomic<std::uint64_t> limit{0};
  alignas(64) std::atomic<std::int64_t> values[16] = {};
};

// One member of a native team or pair: runs role(index) each trial; the
// last to finish runs step() and starts the next trial.
template <class Role, class Step>
void member(Sync& s, unsigned index, unsigned n, Role role, Step step) {
  std::uint32_t seen = 0;
  for (;;) {
    std::uint32_t g;
    int spins = 0;
    std::int64_t until = 0;
    while ((g = s.generation.load(std::memory_order_acquire)) == seen) {
      if (until == 0) until = now_ns() + kNativeSpinNs;
      if (++spins % 64 != 0 || now_ns() < until) continue;
      s.sleepers.fetch_add(1, std::memory_order_seq_cst);
      if (s.generation.load(std::memory_order_seq_cst) == seen) futex_wait(s.generation, seen);
      s.sleepers.fetch_sub(1, std::memory_order_seq_cst);
    }
    seen = g;
    if (s.trials.load(std::memory_order_relaxed) >= s.limit.load(std::memory_order_relaxed)) return;
    role(index);
    if (s.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      s.remaining.store(n, std::memory_order_relaxed);
      s.trials.fetch_add(1, std::memory_order_relaxed);
      step();
      s.generation.fetch_add(1, std::memory_order_seq_cst);
      if (s.sleepers.load(std::memory_order_seq_cst) > 0) futex_wake_all(s.generation);
    }
  }
}

// The native programs' trial: each member stores one value, as the trivial
// scenario's roles do; nothing between trials.
void member(Sync& s, unsigned index, unsigned n) {
  member(
      s, index, n,
      [&s](unsigned k) { s.values[k % 16].store(k + 1, std::memory_order_relaxed); },  // the role
      [] {});
}

// Trials per iteration for n members: fewer for larger teams, whose trials
// on a 2-core machine take a slice per member (16 members spinning 400 us
// each: a run of 200,000 trials took minutes).
std::uint64_t trials_for(std::uint64_t base, unsigned n) {
  return std::max<std::uint64_t>(500, base / (n * n / 4));
}

constexpr std::uint64_t kNativeTrials = 200000;

// Runs one go of a native team on `s`: `n` threads, thread k running
// run_member(k), released together; returns the trials they ran.
template <class Member>
std::uint64_t run_threads(Sync& s, unsigned n, std::uint64_t limit, Member run_member) {
  s.remaining.store(n);
  s.limit.store(limit);
  std::vector<std::thread> team;
  for (unsigned k = 0; k < n; ++k) team.emplace_back([&run_member, k] { run_member(k); });
  s.generation.fetch_add(1, std::memory_order_seq_cst);
  futex_wake_all(s.generation);
  for (auto& t : team) t.join();
  return s.trials.load();
}

// The same with `n` forked processes; `s`, and whatever run_member touches
// that the members share, must be in a MAP_SHARED mapping.
template <class Member>
std::uint64_t run_processes(Sync& s, unsigned n, std::uint64_t limit, Member run_member) {
  s.remaining.store(n);
  s.limit.store(limit);
  std::vector<pid_t> pids;
  for (unsigned k = 0; k < n; ++k) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      run_member(k);
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  s.generation.fetch_add(1, std::memory_order_seq_cst);
  futex_wake_all(s.generation);
  for (const pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  return s.trials.load();
}

void report_rate(benchmark::State& state, std::uint64_t trials) {
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
}

// `bytes` the forked members share, or null (the benchmark skipped).
void* shared_mapping(benchmark::State& state, std::size_t bytes) {
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem != MAP_FAILED) return mem;
  state.SkipWithError("mmap failed");
  return nullptr;
}

void BM_NativeTeam(benchmark::State& state) {
  const auto n = static_cast<unsigned>(state.range(0));
  std::uint64_t trials = 0;
  for (auto _ : state) {
    Sync s;
    trials +=
        run_threads(s, n, trials_for(kNativeTrials, n), [&s, n](unsigned k) { member(s, k, n); });
  }
  report_rate(state, trials);
}

void BM_NativePair(benchmark::State& state) {
  const auto n = static_cast<unsigned>(state.range(0));
  void* mem = shared_mapping(state, sizeof(Sync));
  if (mem == nullptr) return;
  std::uint64_t trials = 0;
  for (auto _ : state) {
    Sync* s = new (mem) Sync;
    trials += run_processes(*s, n, trials_for(kNativeTrials, n),
                            [s, n](unsigned k) { member(*s, k, n); });
    s->~Sync();
  }
  ::munmap(mem, sizeof(Sync));
  report_rate(state, trials);
}

const plugin::Catalog& catalog() {
  static const plugin::Catalog c = plugin::discover({STRAIN_TEST_PLUGIN_DIR "/trivial.so"});
  return c;
}

spec::Case trivial_case(std::uint64_t trials, unsigned instances, std::int64_t points) {
  spec::Case c;
  c.scenario = catalog().find("trivial");
  if (c.scenario == nullptr) {
    std::fprintf(stderr, "speed_bench: the trivial test plugin was not found\n");
    std::exit(1);
  }
  c.plugin = "trivial";
  c.id = "bench/trivial";
  for (const auto& p : c.scenario->params) c.params.push_back(p.default_value);
  for (std::size_t k = 0; k < c.scenario->params.size(); ++k)
    if (c.scenario->params[k].name == "points") c.params[k] = check::Value::integer(points);
  // n instances, split between the two roles (left gets the odd one).
  c.schedule.role_counts = {static_cast<int>((instances + 1) / 2), static_cast<int>(instances / 2)};
  c.schedule.trials = trials;
  c.schedule.budget_s = 1e9;
  c.schedule.timeout_s = 60;
  c.schedule.time_scale = 0.0;
  return c;
}

// The trivial scenario's own work done by a native program, the harness
// left out: each member runs its role through the plugin's descriptor, and
// the last to finish runs the plugin's check, destroy and set-up. What
// Strain's threads/none and processes/none cost beyond these baselines is
// the harness's own; what these cost beyond BM_NativeTeam and BM_NativePair
// is the scenario's (its set-up and check, and the lines they move).
struct PluginTrial {
  alignas(64) unsigned char state[256];
  Context main;
  Context roles[2];
  detail::ParamValue params[8];
  detail::MetricSlot metrics[8];
  std::uint32_t role_counts[2] = {1, 1};
  const detail::ScenarioDescriptor* desc = nullptr;
};

// Fills `p` (in memory the members share) and sets up the first trial.
bool prepare(PluginTrial& p) {
  p.desc = trivial_case(1, 2, 0).scenario->desc;
  if (p.desc->state_size > sizeof p.state || p.desc->state_align > 64 || p.desc->n_params > 8 ||
      p.desc->n_metrics > 8 || p.desc->n_roles != 2)
    return false;
  for (std::uint32_t k = 0; k < p.desc->n_params; ++k)
    p.params[k] = p.desc->params[k].default_value;
  const auto init = [&p](Context& ctx, std::uint32_t role) {
    detail::ContextData& d = detail::context_data(ctx);
    d.desc = p.desc;
    d.params = p.params;
    d.role_counts = p.role_counts;
    d.role = role;
  };
  init(p.main, 0);
  detail::context_data(p.main).metrics = p.metrics;
  init(p.roles[0], 0);
  init(p.roles[1], 1);
  return p.desc->construct(p.state, p.main);
}

void plugin_member(Sync& s, PluginTrial& p, unsigned index) {
  member(
      s, index, 2, [&p](unsigned k) { (void)p.desc->run_role(p.state, k, p.roles[k]); },
      [&p] {
        (void)p.desc->check(p.state, p.main);
        p.desc->destroy(p.state);
        (void)p.desc->construct(p.state, p.main);
      });
}

// Two members, a role each (the /2 of the benchmarks it compares with).
void BM_NativeTeamStep(benchmark::State& state) {
  std::uint64_t trials = 0;
  for (auto _ : state) {
    Sync s;
    PluginTrial p;
    if (!prepare(p)) {
      state.SkipWithError("the trivial plugin does not fit PluginTrial");
      return;
    }
    trials += run_threads(s, 2, kNativeTrials, [&s, &p](unsigned k) { plugin_member(s, p, k); });
    p.desc->destroy(p.state);
  }
  report_rate(state, trials);
}

void BM_NativePairStep(benchmark::State& state) {
  struct Shared {
    Sync s;
    PluginTrial p;
  };
  void* mem = shared_mapping(state, sizeof(Shared));
  if (mem == nullptr) return;
  std::uint64_t trials = 0;
  for (auto _ : state) {
    Shared* sh = new (mem) Shared;
    if (!prepare(sh->p)) {
      state.SkipWithError("the trivial plugin does not fit PluginTrial");
      break;
    }
    trials += run_processes(sh->s, 2, kNativeTrials,
                            [sh](unsigned k) { plugin_member(sh->s, sh->p, k); });
    sh->p.desc->destroy(sh->p.state);
    sh->~Shared();
  }
  ::munmap(mem, sizeof(Shared));
  report_rate(state, trials);
}

// Runs case `c`, every one of its `trials`, once per iteration; reports the rate.
void run_strain(benchmark::State& state, const spec::Case& c, std::uint64_t trials) {
  std::uint64_t ran = 0;
  for (auto _ : state) {
    const model::CaseResult r = exec::run_case(c, exec::plan_for(c, {}));
    if (r.trials != trials) state.SkipWithError("not every trial ran");
    ran += r.trials;
  }
  report_rate(state, ran);
}

// range(0): role instances; topology and strategy from the capture.
void BM_Strain(benchmark::State& state, spec::Topology topology, model::StrategyName strategy) {
  const auto n = static_cast<unsigned>(state.range(0));
  // As many as the native baselines run, so that the fixed costs (forking
  // the role processes, starting threads) weigh the same in both.
  const std::uint64_t trials = trials_for(kNativeTrials, n);
  spec::Case c = trivial_case(trials, n, 0);
  c.schedule.topology = topology;
  c.schedule.strategy.name = strategy;
  c.schedule.strategy.fibers = false;  // threads; BM_StrainFibers runs them as fibers
  run_strain(state, c, trials);
}

// none, 2 roles, with schedule.batch = range(0): each start of the team
// runs that many trials (the start barrier and the step paid once).
void BM_StrainBatch(benchmark::State& state, spec::Topology topology) {
  const std::uint64_t trials = trials_for(kNativeTrials, 2);
  spec::Case c = trivial_case(trials, 2, 0);
  c.schedule.topology = topology;
  c.schedule.strategy.name = model::StrategyName::none;
  c.schedule.batch = static_cast<std::uint32_t>(state.range(0));
  run_strain(state, c, trials);
}

// controlled (pct), 2..16 roles, with the roles as fibers on one thread
// (schedule.strategy.fibers): against BM_Strain/threads_controlled, the same
// interleavings with a thread per role.
void BM_StrainFibers(benchmark::State& state) {
  const auto n = static_cast<unsigned>(state.range(0));
  const std::uint64_t trials = trials_for(kNativeTrials, n);
  spec::Case c = trivial_case(trials, n, 0);
  c.schedule.strategy.name = model::StrategyName::controlled;
  c.schedule.strategy.fibers = true;
  run_strain(state, c, trials);
}

constexpr std::int64_t kHandOffs = 200000;

void BM_NativeHandOff(benchmark::State& state) {
  std::int64_t hand_offs = 0;
  for (auto _ : state) {
    std::atomic<std::uint32_t> turn{0};
    const auto player = [&turn](std::uint32_t me) {
      for (std::int64_t k = 0; k < kHandOffs / 2; ++k) {
        for (std::uint32_t t; (t = turn.load(std::memory_order_acquire)) % 2 != me;)
          futex_wait(turn, t);
        turn.fetch_add(1, std::memory_order_release);
        futex_wake_all(turn);
      }
    };
    std::thread other(player, 1u);
    player(0u);
    other.join();
    hand_offs += kHandOffs;
  }
  state.counters["ns_per_hand_off"] = benchmark::Counter(
      static_cast<double>(hand_offs), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Two Boost.Context fibers handing the one thread back and forth: what a
// hand-off between roles run as fibers costs at best.
void BM_NativeFiberSwitch(benchmark::State& state) {
  namespace ctx = boost::context;
  std::int64_t switches = 0;
  for (auto _ : state) {
    ctx::fiber other{[](ctx::fiber&& back) {
      for (std::int64_t k = 0; k < kHandOffs / 2; ++k) back = std::move(back).resume();
      return std::move(back);
    }};
    for (std::int64_t k = 0; k < kHandOffs / 2; ++k) other = std::move(other).resume();
    other = std::move(other).resume();  // lets it return
    switches += kHandOffs;
  }
  state.counters["ns_per_hand_off"] = benchmark::Counter(
      static_cast<double>(switches), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// controlled/random alternates the two roles at about every other point:
// the cost per point is the cost of a hand-off, and the scheduler's own work.
// range(0) 1: the roles as fibers.
void BM_StrainHandOff(benchmark::State& state) {
  constexpr std::int64_t kPoints = 1000;
  constexpr std::uint64_t kTrials = 100;
  spec::Case c = trivial_case(kTrials, 2, kPoints);
  c.schedule.strategy.name = model::StrategyName::controlled;
  c.schedule.strategy.pick = model::Pick::random;
  c.schedule.strategy.fibers = state.range(0) != 0;
  std::uint64_t points = 0;
  for (auto _ : state) {
    const model::CaseResult r = exec::run_case(c, exec::plan_for(c, {}));
    if (r.trials != kTrials) state.SkipWithError("not every trial ran");
    points += r.trials * 2 * kPoints;
  }
  state.counters["ns_per_point"] = benchmark::Counter(
      static_cast<double>(points), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

using model::StrategyName;
using spec::Topology;

BENCHMARK(BM_NativeTeam)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_NativePair)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_NativeTeamStep)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NativePairStep)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Strain, threads_none, Topology::threads, StrategyName::none)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Strain, processes_none, Topology::processes, StrategyName::none)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Strain, threads_controlled, Topology::threads, StrategyName::controlled)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_StrainBatch, threads, Topology::threads)
    ->RangeMultiplier(4)
    ->Range(4, 64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_StrainBatch, processes, Topology::processes)
    ->RangeMultiplier(4)
    ->Range(4, 64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_StrainFibers)
    ->RangeMultiplier(2)
    ->Range(2, 16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_NativeHandOff)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NativeFiberSwitch)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StrainHandOff)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
