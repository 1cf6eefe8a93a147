#pragma once
// The state a case's trials share, and the steps of its trial loop:
// prepare a trial, record its outcome, check and classify it. The runner
// (case_run.cpp) builds it and drives it from a thread team or a process
// team; this is what runs between every two trials, so it allocates nothing
// there unless a trial failed or the case has a site fixture.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/apart.hpp"
#include "exec/arena.hpp"
#include "exec/case_run.hpp"
#include "exec/digest_set.hpp"
#include "exec/live_counters.hpp"
#include "exec/trial_stamp.hpp"
#include "fixtures/site_server.hpp"
#include "model/result.hpp"
#include "model/seed.hpp"
#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/role_fibers.hpp"
#include "sched/strategy.hpp"
#include "spec/spec.hpp"
#include "strain/context.hpp"
#include "strain/rng.hpp"

namespace strain::exec {

struct LaneTally;
using Clock = std::chrono::steady_clock;

// Everything a case's trials share. Lives on the heap so that, if a trial
// hangs, it can be leaked together with the team whose threads use it.
struct CaseState {
  const spec::Case* kase = nullptr;
  const detail::ScenarioDescriptor* desc = nullptr;
  model::RunPlan plan;
  CaseHooks hooks;
  std::uint64_t spec_seed = 0;
  std::uint64_t case_seed = 0;  // model::case_seed(spec_seed, case id)
  std::uint64_t planned = 0;
  Clock::time_point t0;
  Clock::time_point deadline;

  //! The case's params, as the contexts hand them to the plugin: in the
  //! arena, a piece of their own, since the set-up reads them every trial.
  //! In a vector on the heap they shared a line with something written
  //! every trial (speed_bench threads_none/2, A/B alternated, 8 rounds:
  //! 1.17-1.38 M trials/s -> 1.20-1.46 M).
  std::span<detail::ParamValue> params;
  // The check's metrics, the `show:` sums and the check's context live in
  // the arena: in the process topology a role process checks and sets up
  // the trials (exec/process_lane.hpp), and the worker reads what it wrote.
  std::span<detail::MetricSlot> metrics;
  std::vector<check::Value> vars;  // params, metrics, site facts, as invariants index them
  std::size_t n_params = 0;
  // The case's site fixture, when it has one: started before the first
  // trial, its log bracketed around each trial. Only such cases lock and
  // allocate between trials (in begin_trial/end_trial).
  std::unique_ptr<fixtures::SiteServer> site;
  std::size_t site_base = 0;     // index of the first site fact in vars
  Context* main = nullptr;       // the context of construct and check, in the arena
  std::unique_ptr<Arena> arena;  // state, contexts, strategy state
  std::span<Context> thread_ctx;
  std::vector<std::uint32_t> role_counts;
  std::span<sched::ThreadSched> sched_state;
  // Strategy `controlled` only: the case's scheduler.
  std::unique_ptr<sched::Controller> controller;
  // And its roles as fibers on one thread (schedule.strategy.fibers).
  std::unique_ptr<sched::RoleFibers> fibers;
  DigestSet schedules;  // steered trials: the distinct interleavings run
  void* state = nullptr;

  LiveCounters* live = &own_counters;  // in the arena for the process topology
  //! The process topology's tally, shared with the role processes that run
  //! the between-trial step; null when the worker's thread runs it.
  LaneTally* lane = nullptr;

  std::optional<model::TrialFailure> first_failure;

  // The `show:` metrics, summed as trials end: sized before the first trial,
  // so the trial loop only does arithmetic.
  struct Accumulator {
    std::size_t metric = 0;
    std::uint64_t count = 0;
    double sum = 0, min = 0, max = 0;
  };
  std::span<Accumulator> shown;

  void accumulate_shown() noexcept {
    for (Accumulator& a : shown) {
      const detail::MetricSlot& m = metrics[a.metric];
      if (!m.set) continue;
      const double v = m.is_int ? static_cast<double>(m.i) : m.d;
      a.min = a.count == 0 ? v : std::min(a.min, v);
      a.max = a.count == 0 ? v : std::max(a.max, v);
      a.sum += v;
      ++a.count;
    }
  }

  std::vector<model::Measured> measured() const {
    std::vector<model::Measured> out;
    for (std::size_t k = 0; k < shown.size(); ++k) {
      const Accumulator& a = shown[k];
      out.push_back({kase->show[k].name, a.count,
                     a.count > 0 ? a.sum / static_cast<double>(a.count) : 0.0, a.min, a.max});
    }
    return out;
  }

  std::uint64_t trial_index(std::uint64_t k) const {
    if (!plan.only_trial) return k;
    return warm_left > 0 ? warm_next : *plan.only_trial;
  }
  //! A controlled replay of trial N > 0 first runs trial N - 1 and discards
  //! it: the original trial N ran in a process that had run trials before
  //! it, so the one-time work of the code under test (a function-local
  //! static, a lazily made table, the plugin's own first-trial set-up) was
  //! done and took no schedule points. Replayed cold, that work adds points,
  //! which shift the strategy's draws: a replay of sctbench/lazy_init_bad
  //! failed 0 of 6 fresh workers and 2 of 4 runs after the first.
  //! Under controlled/dfs the same holds, and more: trial N's interleaving
  //! is where the search is after N trials, so all N run first. Trials left
  //! to run first, and the index of the next.
  std::uint64_t warm_left = 0;
  std::uint64_t warm_next = 0;
  //! Strategy controlled/dfs: every trial under trial 0's seed, after a
  //! trial that is not counted and that the search forgets: the first
  //! trial of a process runs the code's one-time work (a function-local
  //! static, a lazily made table), whose points the later trials do not
  //! pass, and a search replays each trial's prefix of choices in the next.
  bool search = false;
  bool search_warm_up = false;

  //! The trial the roles are about to run: on the team's start-barrier line
  //! (exec/trial_stamp.hpp), valid while the team lives. Until its set-up
  //! succeeded (below), the trial is only the check's context's own.
  //! A batch's stamps are `batch` in a row, bundle j's at stamp[j].
  TrialStamp* stamp = nullptr;
  //! At the start of role `k`'s part of a trial (its context `c`), in its
  //! thread or process. Reads the stamp only for a strategy that draws
  //! (ContextData::stamp).
  void reset_role(Context& c, std::size_t k) noexcept {
    detail::ContextData& d = detail::context_data(c);
    reset_context(d);
    if (d.sched != nullptr) sched::reseed(sched_state[k], d.stamp->seed);
  }
  static void reset_context(detail::ContextData& d) noexcept {
    d.failure = FailureKind::none;
    d.message_len = 0;
    d.message[0] = '\0';
    d.rng_stale = 1;
  }
  //! Points every role's context at its bundle's stamp (once `stamp` is
  //! where it stays).
  void aim_roles() noexcept {
    for (std::size_t k = 0; k < all_ctx.size(); ++k)
      detail::context_data(all_ctx[k]).stamp = &stamp[k / team_size];
  }

  // Records the outcome of the trial just finished. A failure's time is
  // `ended`, read by fresh_clock() before its message was composed where
  // that takes time (symbolizing a deadlock's stacks is not the time to
  // find it). Returns false to stop.
  bool record(model::Outcome o, std::string message);
  //! 1 once the case's budget is spent, set by the thread that watches the
  //! case (CaseRun, which wakes at the deadline) in the arena, so that the
  //! trial loop needs no clock to know it.
  std::atomic<std::uint32_t>* budget_spent = nullptr;
  bool out_of_budget() const {
    return budget_spent->load(std::memory_order_relaxed) != 0 || (clock_fresh && ended >= deadline);
  }

  // What the step between trials writes every trial, together and apart
  // from what it only reads (core/apart.hpp). The step runs on whichever
  // role finished last, which alternates between cores from trial to
  // trial, so each line it writes moves every trial, and with it whatever
  // it reads on that line. Spread over seven lines, as declared before:
  // speed_bench threads_none/2, A/B alternated, 1.05-1.11 M trials/s; on
  // two lines, 1.22-1.27 M.
  //! Whether a role flagged the trial being checked (its context recorded a
  //! failure), as its team gathered it: false, the check reads none of the
  //! roles' contexts, each a line another core wrote (~100-200 ns on the
  //! CI VM, against ~450 ns for a whole trial of the native team). Set by
  //! whoever runs the step between trials; true where no team gathers it.
  alignas(core::kApart) bool roles_flagged = true;
  //! The set-up of the trial after the batch's failed: recorded once the
  //! batch's trials are (finish_batch()).
  bool batch_setup_failed = false;
  std::uint64_t steps = 0;           // PCT's learned k of the current trial, for replay lines
  std::uint64_t reports_before = 0;  // sanitizer reports before this trial
  //! The sanitizer reports last stored into the live counters.
  std::uint64_t reports_published = 0;
  std::uint64_t next_trial = 0;  // index of the trial being prepared/run
  std::uint64_t run_count = 0;   // trials finished
  std::uint64_t begun = 0;       // LiveCounters::trials_begun
  model::OutcomeCounts outcomes{};
  model::StopReason stopped_by = model::StopReason::none;
  //! When the trial being recorded ended, read only for a failure (or a
  //! trial that ends otherwise: a set-up that failed, a role process that
  //! died): a trial that passes reads no clock. Three clock reads per trial
  //! were 48.6% of the samples of a 1-role run under kvm-clock (~29 ns each,
  //! issue 12); one read is ~65 ns of a ~600 ns between-trial step of the
  //! process topology on the same VM.
  Clock::time_point ended{};
  bool clock_fresh = false;  // `ended` is this trial's
  void fresh_clock() {
    if (clock_fresh) return;
    ended = Clock::now();
    clock_fresh = true;
  }
  // Written by the trial's step; read by the host thread for progress.
  alignas(core::kApart) LiveCounters own_counters;

  //! Trials each start of the thread team runs (schedule.batch where it
  //! applies, see CaseRun::set_up; else 1), each with a bundle of its own:
  //! state, the check's context, the roles' contexts, metric slots, stamp.
  //! `state`, `main`, `thread_ctx` and `metrics` above are the bundle of the
  //! trial being set up or checked (select()). Read by every role every
  //! trial and written only at set-up: on a line of their own, after the
  //! rest, whose layout the speed of the trial loop is sensitive to.
  alignas(core::kApart) std::uint32_t batch = 1;
  std::uint32_t team_size = 0;  // role instances: contexts per bundle
  // Every bundle's: `batch` states `state_stride` apart, `batch` contexts of
  // the check, `batch` times team_size roles' contexts (bundle j's role k at
  // j * team_size + k), and `batch` times the scenario's metric slots.
  std::byte* states = nullptr;
  std::size_t state_stride = 0;
  std::span<Context> mains;
  std::span<Context> all_ctx;
  std::span<detail::MetricSlot> all_metrics;
  //! The trials set up for the team's current start (1 without a batch), in
  //! the arena: in the process topology role process 0 sets up the batches,
  //! and every role process runs them.
  std::uint32_t* batch_len = nullptr;
  void* state_of(std::uint32_t j) const noexcept { return states + j * state_stride; }
  //! Makes bundle `j` the current one (state, main, thread_ctx, metrics).
  void select(std::uint32_t j) noexcept {
    state = state_of(j);
    main = &mains[j];
    thread_ctx = all_ctx.subspan(std::size_t{j} * team_size, team_size);
    metrics = all_metrics.subspan(j * metrics.size(), metrics.size());
  }
  //! Destroys the states of the batch's trials after `j`, which a run that
  //! stopped at trial j will not check.
  void destroy_after(std::uint32_t j) noexcept {
    for (std::uint32_t k = j + 1; k < *batch_len; ++k) desc->destroy(state_of(k));
  }
  //! select(j) to check the batch's trial j once its roles ran: a crash or
  //! hang from here on (in the plugin's check) is that trial's alone.
  void select_to_check(std::uint32_t j) noexcept {
    select(j);
    if (j > 0) live->current_trial.store(stamp[j].trial, std::memory_order_relaxed);
    if (j == 0) live->in_flight.store(1, std::memory_order_relaxed);
  }

  // Builds a fresh state for the next trial. Returns false when the run is
  // over; trials whose setup fails are recorded as errors and skipped.
  bool prepare();
  //! Sets up the next trial, or batch, for the team; false if its (first)
  //! set-up failed, which the caller records.
  bool set_up_batch();
  //! The part of prepare() before the plugin's construct: seeds, contexts,
  //! metric slots, the scheduler, of the trial `ahead` after the next.
  void begin_trial(std::uint32_t ahead = 0);
  //! The batch's trials after its first, set up until it is full, the case
  //! has no more to run, or a set-up fails.
  void prepare_rest();
  //! Once the plugin's set-up succeeded: tells the roles which trial they
  //! run, and under `controlled` gives the first thread the turn.
  void set_up_done();
  //! Records the trial whose set-up just failed (at `ended`) as an error.
  //! Returns false to stop.
  bool record_setup_failure();

  //! Whether the trial just checked passed: no context failed and every
  //! invariant holds. Records nothing (classify() says why one did not).
  bool clean_pass();
  //! The trial counters, to and from the process topology's shared tally.
  void push(LaneTally& t) const;
  void pull(const LaneTally& t);

  // Checks the trial the team just ran and classifies it: the first of a
  // failure of the run itself (a sanitizer report, a deadlock, threads left
  // running), a failed expect or exception, a failed invariant; else pass.
  void finish();
  //! finish() for each trial of the batch in turn, then records a set-up
  //! that failed after them. False to stop (the rest are destroyed unrun).
  bool finish_batch();
  //! Whether the trial just checked passed and nothing about it needs a
  //! message: what classify() would find, asked without raising
  //! LiveCounters::classifying, whose line the step would write twice
  //! a trial for nothing (speed_bench threads_none/2, A/B alternated: see
  //! the commit).
  bool quiet_pass();
  void classify();
  bool recorded_run_failure();
  bool recorded_expect_failure();
  // The metrics the trial set, into the invariants' variables.
  void load_metrics();
  //! The first invariant that does not hold or cannot be evaluated (`r`
  //! says which), or null: what both classify() and clean_pass() ask.
  const spec::Invariant* failing_invariant(check::EvalResult& r) const;
  bool recorded_invariant_failure();

  // Bookkeeping of a controlled trial: PCT learns its k, a replay counts
  // the interleavings it ran and may write the first one as a trace.
  void controlled_trial_ended();
};

}  // namespace strain::exec
