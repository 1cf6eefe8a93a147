#include "exec/case_state.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "exec/process_lane.hpp"
#include "exec/replay_command.hpp"
#include "exec/sanitizer_hook.hpp"
#include "fixtures/site_facts.hpp"
#include "runtime/abi_types.hpp"
#include "sched/trace.hpp"

namespace strain::exec {

using model::Outcome;

bool CaseState::record(Outcome o, std::string message) {
  const auto idx = static_cast<std::size_t>(o);
  ++outcomes[idx];
  ++run_count;
  live->outcomes[idx].store(outcomes[idx], std::memory_order_relaxed);
  live->trials_done.store(run_count, std::memory_order_relaxed);
  // Stored when it moved only: the line it is on is not written otherwise
  // (see quiet_pass()).
  const std::uint64_t reports = sanitizer_report_count();
  if (reports != reports_published) {
    live->sanitizer_reports.store(reports, std::memory_order_relaxed);
    reports_published = reports;
  }
  if (model::is_failure(o) && !first_failure) {
    fresh_clock();
    const std::uint64_t t = trial_index(next_trial);
    // Under the portfolio, which member found it: another run of the case
    // can then name that member alone.
    if (controller && controller->portfolio())
      message += "\n(found under " + controller->describe() + ")";
    first_failure =
        model::TrialFailure{t,
                            model::trial_seed(case_seed, model::seeded_as(t, search)),
                            o,
                            std::move(message),
                            std::chrono::duration<double>(ended - t0).count(),
                            replay_command(*kase, spec_seed, t, steps, plan.command_prefix),
                            controller ? controller->digest().text() : std::string()};
    if (hooks.on_failure) hooks.on_failure(*first_failure);
  }
  ++next_trial;
  const bool spent = out_of_budget();
  clock_fresh = false;  // the next trial's is read when it needs one
  if (model::is_failure(o) && !plan.keep_going && !plan.only_trial) {
    stopped_by = model::StopReason::failure;
    return false;
  }
  if (controller && controller->exhausted() && !plan.only_trial) {
    stopped_by = model::StopReason::explored;
    return false;
  }
  if (next_trial >= planned) {
    stopped_by = model::StopReason::trials;
    return false;
  }
  if (spent && !plan.only_trial) {
    stopped_by = model::StopReason::budget;
    return false;
  }
  return true;
}

bool CaseState::prepare() {
  while (!set_up_batch()) {
    fresh_clock();
    if (!record_setup_failure()) return false;
  }
  return true;
}

bool CaseState::set_up_batch() {
  if (batch > 1) select(0);  // else bundle 0 stays current throughout
  begin_trial();
  if (!desc->construct(state, *main)) return false;
  if (batch > 1) prepare_rest();
  set_up_done();
  return true;
}

void CaseState::prepare_rest() {
  std::uint32_t& len = *batch_len;
  len = 1;
  const std::uint64_t left = planned > next_trial ? planned - next_trial : 1;
  const auto want = static_cast<std::uint32_t>(std::min<std::uint64_t>(batch, left));
  // Not past a spent budget: the roles run every trial set up.
  while (len < want && budget_spent->load(std::memory_order_relaxed) == 0) {
    select(len);
    begin_trial(len);
    if (!desc->construct(state, *main)) {
      batch_setup_failed = true;
      return;
    }
    ++len;
  }
}

bool CaseState::finish_batch() {
  for (std::uint32_t j = 0; j < *batch_len; ++j) {
    select_to_check(j);
    finish();
    if (stopped_by == model::StopReason::none) continue;
    destroy_after(j);
    batch_setup_failed = false;
    return false;
  }
  if (!batch_setup_failed) return true;
  // Its bundle's context holds the failure; the trials before it are
  // recorded, so it is the next.
  batch_setup_failed = false;
  select(*batch_len);
  fresh_clock();
  return record_setup_failure();
}

void CaseState::begin_trial(std::uint32_t ahead) {
  const std::uint64_t t = trial_index(next_trial + ahead);
  const std::uint64_t seed = model::trial_seed(case_seed, model::seeded_as(t, search));
  live->current_trial.store(t, std::memory_order_relaxed);
  // Counted here and stored: a load of the live line, which the step wrote
  // last on the other core, stalled the step (~8% of speed_bench
  // threads_none/2's samples on that one load).
  live->trials_begun.store(++begun, std::memory_order_relaxed);
  detail::ContextData& m = detail::context_data(*main);
  reset_context(m);
  m.own = TrialStamp{t, seed};
  for (auto& slot : metrics) slot = detail::MetricSlot{};
  // The roles' contexts: each role resets its own (reset_role()).
  if (controller) {
    controller->begin_trial(seed, plan.steps);
    steps = controller->steps_learned() ? controller->steps_used() : 0;
    live->steps.store(steps, std::memory_order_relaxed);
  }
  reports_before = sanitizer_report_count();
  if (site) site->begin_trial(seed);
}

void CaseState::set_up_done() {
  // Written last, just before the team starts the trial: the stamp shares
  // the line the waiting roles spin on, and each write takes it from them.
  if (batch == 1) {
    *stamp = detail::context_data(*main).own;
  } else {
    for (std::uint32_t j = 0; j < *batch_len; ++j) stamp[j] = detail::context_data(mains[j]).own;
    // A hang of the batch is the first trial's that is not recorded.
    live->current_trial.store(stamp[0].trial, std::memory_order_relaxed);
    live->in_flight.store(*batch_len, std::memory_order_relaxed);
  }
  if (controller) controller->first_turn();
}

bool CaseState::record_setup_failure() {
  return record(Outcome::error,
                std::string("setup failed: ") + detail::context_data(*main).message);
}

void CaseState::finish() {
  desc->check(state, *main);
  desc->destroy(state);
  if (search_warm_up) {
    // The search starts after it, from an empty tree.
    search_warm_up = false;
    controller->end_trial();
    controller->restart_exploration();
    if (plan.only_trial && warm_left == 0) controller->hold_exploration();
    return;
  }
  if (warm_left > 0) {
    // Not a trial of the replay: nothing of it is counted.
    --warm_left;
    ++warm_next;
    if (controller) {
      controller->end_trial();
      // The search is at the replayed trial's interleaving: stay there.
      if (warm_left == 0 && search) controller->hold_exploration();
    }
    return;
  }
  if (site && vars.size() >= site_base + fixtures::kSiteFactNames.size())
    fixtures::site_facts(*site, site->end_trial(),
                         std::span(vars).subspan(site_base, fixtures::kSiteFactNames.size()));
  // Whatever the outcome: a measurement of a failing trial is still one.
  accumulate_shown();
  if (controller) controlled_trial_ended();
  if (quiet_pass()) {
    (void)record(Outcome::pass, {});
    return;
  }
  // The plugin's code has run: what follows is the harness's own time, and
  // a failure's message can take long to compose (a deadlock's stacks).
  live->classifying.store(1, std::memory_order_relaxed);
  classify();
  live->classifying.store(0, std::memory_order_relaxed);
}

bool CaseState::quiet_pass() {
  if (sanitizer_report_count() != reports_before) return false;
  if (controller && (controller->deadlocked() || !controller->orphans().empty())) return false;
  return clean_pass();
}

void CaseState::classify() {
  if (recorded_run_failure() || recorded_expect_failure()) return;
  load_metrics();
  if (recorded_invariant_failure()) return;
  (void)record(Outcome::pass, {});
}

bool CaseState::recorded_run_failure() {
  // A sanitizer report made during this trial is its outcome: the race is
  // the cause, whatever the invariants then saw.
  if (sanitizer_report_count() != reports_before) {
    (void)record(
        last_sanitizer_outcome(),
        fmt::format("ThreadSanitizer reported {} during this trial (the report is in the case's "
                    "sanitizer reports)",
                    last_sanitizer_kind()));
    return true;
  }
  // Every role blocked: the roles were unwound by ScheduleAborted, so
  // their errors are the deadlock's consequence, not the finding. Only the
  // first failure's message is kept, so only it gets symbolized stacks.
  if (controller && controller->deadlocked()) {
    fresh_clock();
    (void)record(Outcome::deadlock, controller->deadlock_report(!first_failure));
    return true;
  }
  // A thread the code under test started and left running past the end of
  // every role would touch a state that is gone: a use after free in a real
  // program (a detached thread outliving what it works on).
  if (controller && !controller->orphans().empty()) {
    (void)record(Outcome::violation,
                 "threads still running when every role had ended: " + controller->orphans());
    return true;
  }
  return false;
}

bool CaseState::recorded_expect_failure() {
  // An exception anywhere is an error; otherwise the first failed expect.
  // The roles' contexts only when a role flagged the trial.
  const std::span<const Context> roles =
      roles_flagged ? std::span<const Context>(thread_ctx) : std::span<const Context>();
  const Context* worst = nullptr;
  for (const auto& c : roles)
    if (detail::context_data(c).failure == FailureKind::error) {
      worst = &c;
      break;
    }
  if (worst == nullptr && detail::context_data(*main).failure == FailureKind::error) worst = main;
  if (worst == nullptr)
    for (const auto& c : roles)
      if (detail::context_data(c).failure == FailureKind::violation) {
        worst = &c;
        break;
      }
  if (worst == nullptr && detail::context_data(*main).failure == FailureKind::violation)
    worst = main;
  if (worst != nullptr) {
    const bool in_role = worst != main;
    std::string where =
        in_role ? "role " + kase->scenario->roles[detail::context_data(*worst).role].name + "#" +
                      std::to_string(detail::context_data(*worst).instance) + ": "
                : "check: ";
    const Outcome o = detail::context_data(*worst).failure == FailureKind::error
                          ? Outcome::error
                          : Outcome::violation;
    (void)record(o, where + detail::context_data(*worst).message);
    return true;
  }
  return false;
}

void CaseState::load_metrics() {
  // Only the invariants read them: without any, the step between trials
  // does not write the line (another core's next time, see case_state.hpp).
  if (kase->invariants.empty()) return;
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    check::Value& v = vars[n_params + k];
    const auto& m = metrics[k];
    if (!m.set)
      v.kind = check::Value::Kind::none;
    else if (m.is_int) {
      v.kind = check::Value::Kind::integer;
      v.i = m.i;
      v.d = m.d;
    } else {
      v.kind = check::Value::Kind::number;
      v.d = m.d;
    }
  }
}

const spec::Invariant* CaseState::failing_invariant(check::EvalResult& r) const {
  for (const auto& inv : kase->invariants) {
    r = inv.expr.eval(vars);
    if (!r.ok || !r.value) return &inv;
  }
  return nullptr;
}

bool CaseState::recorded_invariant_failure() {
  check::EvalResult r;
  const spec::Invariant* inv = failing_invariant(r);
  if (inv == nullptr) return false;
  if (!r.ok) {
    (void)record(Outcome::error,
                 "invariant '" + inv->text + "' could not be evaluated: " + r.error);
    return true;
  }
  // The values of the names, then the expression with its parts evaluated
  // (Catch2's "with expansion"), then where it is written.
  std::string why = "invariant '" + inv->text +
                    "' does not hold: " + inv->expr.explain(kase->names, vars) +
                    "; expanded: " + inv->expr.decompose(vars);
  if (inv->loc.line > 0)
    why += fmt::format(" ({}:{}:{})", inv->loc.file, inv->loc.line, inv->loc.col);
  (void)record(Outcome::violation, std::move(why));
  return true;
}

bool CaseState::clean_pass() {
  if (roles_flagged || detail::context_data(*main).failure != FailureKind::none) return false;
  load_metrics();
  check::EvalResult r;
  return failing_invariant(r) == nullptr;
}

void CaseState::push(LaneTally& t) const {
  t.next_trial.store(next_trial, std::memory_order_relaxed);
  t.begun.store(begun, std::memory_order_relaxed);
  t.run_count.store(run_count, std::memory_order_relaxed);
  t.passes.store(outcomes[static_cast<std::size_t>(Outcome::pass)], std::memory_order_relaxed);
  t.stopped_by.store(static_cast<std::uint32_t>(stopped_by), std::memory_order_relaxed);
}

void CaseState::pull(const LaneTally& t) {
  next_trial = t.next_trial.load(std::memory_order_relaxed);
  begun = t.begun.load(std::memory_order_relaxed);
  run_count = t.run_count.load(std::memory_order_relaxed);
  outcomes[static_cast<std::size_t>(Outcome::pass)] = t.passes.load(std::memory_order_relaxed);
  stopped_by = static_cast<model::StopReason>(t.stopped_by.load(std::memory_order_relaxed));
}

void CaseState::controlled_trial_ended() {
  controller->end_trial();
  schedules.add(controller->digest().value());
  live->schedules.store(schedules.count(), std::memory_order_relaxed);
  if (!plan.only_trial) return;
  if (plan.trace_out.empty() || run_count != 0) return;
  sched::Trace t;
  t.case_id = kase->id;
  t.seed = spec_seed;
  t.trial = trial_index(next_trial);
  t.strategy = controller->describe();
  t.steps = controller->steps_used();
  t.digest = controller->digest().text();
  t.decisions = controller->decisions();
  t.interleaving = controller->step_log();
  try {
    sched::write_trace(plan.trace_out, t);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strain: %s\n", e.what());
  }
}

}  // namespace strain::exec
