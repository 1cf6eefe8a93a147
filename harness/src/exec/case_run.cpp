#include "exec/case_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "core/spare_cores.hpp"
#include "core/stacks.hpp"
#include "exec/arena.hpp"
#include "exec/case_state.hpp"
#include "exec/process_lane.hpp"
#include "exec/process_team.hpp"
#include "exec/replay_command.hpp"
#include "exec/thread_team.hpp"
#include "exec/watchdog.hpp"
#include "fixtures/site_facts.hpp"
#include "fixtures/site_server.hpp"
#include "model/seed.hpp"
#include "model/verdict.hpp"
#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/strategy.hpp"
#include "sched/trace.hpp"
#include "strain/context.hpp"

namespace strain::exec {

namespace {

using model::Outcome;

// Role `index`'s part of a trial in context `ctx`, on `state`: true if its
// context recorded a failure.
bool run_part(CaseState& cs, unsigned index, Context& ctx, void* state) noexcept {
  cs.reset_role(ctx, index);
  sched::role_started(ctx);
  // The role's number from its own context, a line this thread keeps.
  cs.desc->run_role(state, detail::context_data(ctx).role, ctx);
  sched::role_ended(ctx);
  // Read here, in this role's own cache. A failure recorded into its
  // context later, by a thread it left running, is seen under `controlled`
  // (whose check reads every context, see team_between); otherwise that
  // thread races with the check and the next trial's reset anyway.
  return ctx.failed();
}

bool team_body(void* arg, unsigned index) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  return run_part(cs, index, cs.thread_ctx[index], cs.state);
}

// The roles as fibers (sched/role_fibers.hpp): the team's one thread runs
// every role's part (team_body), each on its fiber, as the controller hands
// the turn.
bool fibers_body(void* arg, unsigned) noexcept {
  return static_cast<CaseState*>(arg)->fibers->run_trial();
}

// Whether a controlled case's roles run as fibers (sched/role_fibers.hpp):
// as the spec or --fibers/--no-fibers say, else where the plugin brought no
// thread_local data (plugin/module_tls.hpp), which fibers would share. The
// interleavings are the same either way; fibers are faster (8-72x the
// trials/s of the steered specs' passing cases, docs/performance.md). A
// ThreadSanitizer build runs threads: its runtime would take a switch of
// stacks for one thread's accesses racing with themselves.
bool roles_as_fibers(const spec::Case& c, const model::RunPlan& plan) {
  if (plan.tsan_build) return false;
  if (c.schedule.strategy.fibers) return *c.schedule.strategy.fibers;
  return c.scenario->thread_locals.bytes == 0;
}

// Roles as fibers share the one thread's thread_local data (what the code
// under test keeps per thread): a case that asked for fibers with a plugin
// that has some is told so with its result, since a failure may then come
// from the sharing.
std::string shared_thread_locals(const CaseState& cs) {
  const plugin::ThreadLocals& t = cs.kase->scenario->thread_locals;
  if (t.bytes == 0) return "";
  return fmt::format(
      "the roles ran as fibers on one thread (schedule.strategy.fibers), and the plugin brought "
      "{} bytes of thread_local data ({}), which they shared: a failure may come from that; run "
      "with --no-fibers to tell",
      t.bytes, t.where);
}

// A batch (CaseState::batch): this role's part of each trial in turn, each
// in its own bundle. A team of its own body and step, so that a case
// without a batch does not even test for one.
bool batch_body(void* arg, unsigned index) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  bool flagged = false;
  for (std::uint32_t j = 0, n = *cs.batch_len; j < n; ++j)
    flagged |=
        run_part(cs, index, cs.all_ctx[std::size_t{j} * cs.team_size + index], cs.state_of(j));
  return flagged;
}

bool team_between(void* arg, bool flagged) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  // Under `controlled` a thread a role started records its failures into
  // that role's context, and may do so after the role ended (a detached
  // thread that finished before the last role did): then every context is
  // read. Not when no role started one: each read is a line from another
  // core's cache (CaseState::recorded_expect_failure was 3% of the samples
  // of speed_bench threads_controlled/2).
  cs.roles_flagged = flagged || (cs.controller != nullptr && cs.controller->spawned_any());
  // Threads the roles started may still be leaving the code under test
  // (after a deadlock, every one is unwinding): the state is theirs until
  // they did.
  if (cs.controller) cs.controller->wait_spawned_exit();
  cs.finish();
  if (cs.stopped_by != model::StopReason::none) return false;
  return cs.prepare();
}

bool batch_between(void* arg, bool flagged) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  cs.roles_flagged = flagged;  // no controller: a batch is never steered
  return cs.finish_batch() && cs.prepare();
}

std::string instance_name(const CaseState& cs, std::size_t k) {
  const detail::ContextData& d = detail::context_data(cs.thread_ctx[k]);
  return fmt::format("{}#{}", cs.kase->scenario->roles[d.role].name, d.instance);
}

// A role process's death or a hang of the process topology, as the trial's
// outcome.
void record_process_end(CaseState& cs, ProcessTeam& team, ProcessTeam::End end,
                        const std::string& why, unsigned index) {
  // The lane's check and set-up run in role process 0: say so when that is
  // where it died or hangs.
  const bool between = team.in_between();
  const std::string in_between = " while it checked the trial and set up the next";
  const std::string who = "role " + instance_name(cs, index) + ": ";
  cs.ended = Clock::now();
  cs.clock_fresh = true;
  // Inside a batch, which of its trials cannot be told (LiveCounters).
  const bool batch = cs.live->in_flight.load(std::memory_order_relaxed) > 1;
  if (end == ProcessTeam::End::died) {
    const bool signaled = why.find("killed by signal") != std::string::npos;
    (void)cs.record(signaled ? Outcome::crash : Outcome::error,
                    who + why + (between && index == 0 ? in_between : "") +
                        (batch ? " during trial " + cs.live->trial_text() : ""));
    return;
  }
  // Name the trial and the role processes that never finished it, as the
  // thread topology names its threads.
  std::string stuck;
  for (const auto& [k, pid] : team.still_running())
    stuck += fmt::format("{}{} (pid {})", stuck.empty() ? "" : ", ", instance_name(cs, k), pid);
  if (between)
    stuck += fmt::format("{}{} (pid {}){}", stuck.empty() ? "" : ", ", instance_name(cs, 0),
                         team.pids()[0], in_between);
  const double timeout_s = cs.kase->schedule.timeout_s;
  (void)cs.record(Outcome::hang,
                  fmt::format("trial {} still running after {}; role processes still running: {}",
                              cs.live->trial_text(),
                              batch ? fmt::format("{}s (the {}s timeout for each of up to {} "
                                                  "trials)",
                                                  timeout_s * cs.batch, timeout_s, cs.batch)
                                    : fmt::format("the {}s timeout", timeout_s),
                              stuck.empty() ? "none" : stuck));
}

}  // namespace

model::RunPlan plan_for(const spec::Case& c, std::optional<std::uint64_t> run_seed,
                        std::uint64_t repetition) {
  model::RunPlan p;
  p.spec_path = c.spec_path;
  p.case_id = c.id;
  if (c.scenario != nullptr) p.plugin_file = c.scenario->library_path;
  p.seed = model::resolve_seed(run_seed, c.schedule.seed, repetition);
  p.strategy_flag = c.strategy_flag;
  p.fibers_flag = c.fibers_flag;
  return p;
}

model::CaseResult base_result(const spec::Case& c, std::uint64_t spec_seed, bool tsan_build) {
  model::CaseResult r;
  r.id = c.id;
  r.spec_name = c.spec_name;
  r.spec_path = c.spec_path;
  r.case_name = c.case_name;
  r.plugin = c.plugin;
  r.matrix = c.matrix;
  r.spec_seed = spec_seed;
  r.expected = c.expect.for_build(tsan_build);
  r.expected_exhaustive = c.expect.exhaustive;
  return r;
}

model::CaseResult run_case(const spec::Case& c, const model::RunPlan& plan,
                           const CaseHooks& hooks) {
  return CaseRun(c, plan, hooks).run();
}

CaseRun::CaseRun(const spec::Case& c, const model::RunPlan& plan, const CaseHooks& hooks)
    : c_(c), plan_(plan), hooks_(hooks), result_(base_result(c, plan.seed, plan.tsan_build)) {}

// A trial abandoned by the watchdog released cs_ (its threads still use it).
CaseRun::~CaseRun() = default;

void CaseRun::error(std::string why) {
  result_.stopped_by = model::StopReason::error;
  result_.note = std::move(why);
  result_.met = false;
  done_ = true;
}

model::CaseResult CaseRun::run() {
  if (!set_up()) return result_;
  unsigned n = 0;
  for (int count : c_.schedule.role_counts) n += static_cast<unsigned>(count);
  const bool processes = c_.schedule.topology == spec::Topology::processes;
  ProcessControl* control = processes ? &cs_->arena->make_array<ProcessControl>(1)[0] : nullptr;
  cs_->t0 = Clock::now();
  const double budget_s = plan_.budget_s.value_or(c_.schedule.budget_s);
  cs_->deadline = cs_->t0 + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(budget_s));
  // On its start barrier's line; a batch's are in the arena (make_arena).
  if (processes && cs_->batch == 1) cs_->stamp = &control->stamp;
  cs_->aim_roles();
  if (!cs_->prepare()) {
    // Every trial failed in setup before any role ran.
  } else if (processes) {
    try {
      run_processes(n, control);
    } catch (const std::exception& e) {
      cannot_start(n, "processes", e);
    }
  } else {
    run_threads(n);
  }
  if (!done_) collect();
  return result_;
}

// The system may refuse the role instances a spec asks for (threads or
// processes past a limit): that is the case's error, said as such, not a
// crash of trial 0 blamed on the plugin (issue 13).
void CaseRun::cannot_start(unsigned n, const char* what, const std::exception& e) {
  result_.trials = cs_->run_count;
  result_.outcomes = cs_->outcomes;
  result_.first_failure = cs_->first_failure;
  error(fmt::format("cannot start the case's {} role {}: {}", n, what, e.what()));
}

// The watching thread wakes at least every 100 ms, and at the deadline, to
// tell the trial loop the budget is spent: the trial loop reads no clock.
double CaseRun::watch_slice() const {
  const double left = std::chrono::duration<double>(cs_->deadline - Clock::now()).count();
  return left > 0 ? std::min(0.1, left) : 0.1;
}

void CaseRun::watch_budget() {
  if (Clock::now() >= cs_->deadline) cs_->budget_spent->store(1, std::memory_order_relaxed);
}

void CaseRun::report_progress(std::uint64_t trials_done) {
  if (!hooks_.progress) return;
  hooks_.progress(model::CaseProgress{c_.id, trials_done, cs_->planned,
                                      std::chrono::duration<double>(Clock::now() - cs_->t0).count(),
                                      c_.schedule.budget_s, cs_->live->snapshot()});
}

// The process topology's trial loop. The role processes run the roles and,
// when the case allows (exec/process_lane.hpp), check and set up the trials
// themselves; this thread takes over whatever they hand back, turns a role
// process's death or a hang into the trial's outcome, and reports progress.
void CaseRun::run_processes(unsigned n, ProcessControl* control) {
  CaseState& cs = *cs_;
  const bool lane = lane_fits(cs);
  // A batch runs only where the lane does (lane_fits(): what excludes one
  // excludes the other), whose step checks and sets up a batch.
  ProcessTeam team(n, cs.batch > 1 ? &batch_body : &team_body, lane ? &lane_between : nullptr,
                   lane ? &lane_resume : nullptr, &cs, control);
  // Whether the waiters may spin: sampled here, off the trial loop, for them
  // all (core/spare_cores.hpp). This thread waits too when it runs the step
  // between trials; it sleeps while the lane does.
  const unsigned cores = core::usable_cores();
  const auto sample = [&] {
    core::sample_others_running(team.pids());
    const unsigned waiters = lane ? n : n + 1;
    using core::Waiting;
    const Waiting how = core::spare_cores(waiters, cores) ? Waiting::spin
                        : core::alone()                   ? Waiting::yield
                        : waiters <= cores                ? Waiting::brief
                                                          : Waiting::sleep;
    control->wait.store(static_cast<std::uint32_t>(how), std::memory_order_relaxed);
  };
  sample();
  cs.live->running.store(1, std::memory_order_relaxed);
  auto last_progress = Clock::now();
  if (lane) cs.push(*cs.lane);
  team.start_trial();
  for (;;) {
    std::string why;
    unsigned index = 0;
    // Without the lane this thread checks every trial and reads the clock
    // there (below); with it, it watches the budget for the lane.
    const ProcessTeam::End end =
        team.wait(c_.schedule.timeout_s * cs.batch, lane ? watch_slice() : 0.1, why, index);
    if (lane) watch_budget();
    if (end == ProcessTeam::End::died || end == ProcessTeam::End::timeout) {
      if (lane) cs.pull(*cs.lane);
      record_process_end(cs, team, end, why, index);
      // The state may be half-changed and a role process is gone: the case
      // ends here. The team's destructor kills what is still running.
      cs.stopped_by = model::StopReason::failure;
      return;
    }
    if (end == ProcessTeam::End::done) {
      if (!lane) {
        cs.fresh_clock();  // the trial's one read: its end, and the budget
        // Without the lane no one gathers the roles' flags: every context is read.
        if (!team_between(&cs, true)) return;
        team.start_trial();
      } else {
        if (!take_back(cs)) return;
        team.resume();
      }
    }
    // Without the lane, the trial's own read of the clock serves here too.
    const auto now = lane || end != ProcessTeam::End::done ? Clock::now() : cs.ended;
    if (now - last_progress > std::chrono::milliseconds(100)) {
      last_progress = now;
      sample();
      report_progress(cs.live->trials_done.load(std::memory_order_relaxed));
    }
  }
}

// The thread topology: the team runs the trials on its own; this thread
// reports progress and is the watchdog.
void CaseRun::run_threads(unsigned n) {
  std::unique_ptr<ThreadTeam> team;
  const bool as_fibers = cs_->controller && roles_as_fibers(c_, plan_);
  try {
    const bool batched = cs_->batch > 1;
    if (as_fibers) {
      cs_->fibers = std::make_unique<sched::RoleFibers>(n, n + sched::Controller::kMaxSpawned,
                                                        *cs_->controller, &team_body, cs_.get(),
                                                        cs_->thread_ctx.data());
      cs_->controller->run_roles_as(cs_->fibers.get());
      result_.note = shared_thread_locals(*cs_);
      team = std::make_unique<ThreadTeam>(1, &fibers_body, &team_between, cs_.get());
    } else {
      team = std::make_unique<ThreadTeam>(n, batched ? &batch_body : &team_body,
                                          batched ? &batch_between : &team_between, cs_.get());
    }
  } catch (const std::exception& e) {  // no thread, or no memory for the fibers' stacks
    cannot_start(n, as_fibers ? "fibers" : "threads", e);
    return;
  }
  // Whether the team's waiters may spin (core/spare_cores.hpp): sampled
  // before the first trial and at every look of the watchdog.
  core::sample_others_running();
  team->start();
  cs_->live->running.store(1, std::memory_order_relaxed);
  // A batch's roles report no progress until all its trials ran: it is
  // given the timeout of each.
  TrialWatch watch(c_.schedule.timeout_s * cs_->batch, Clock::now(),
                   cs_->live->current_trial.load());
  // When the controlled scheduler last passed a point, as seen from here.
  std::uint64_t points = 0;
  Clock::time_point points_at = Clock::now();
  while (!team->wait_done(watch_slice())) {
    watch_budget();
    core::sample_others_running();
    report_progress(cs_->live->trials_done.load(std::memory_order_relaxed));
    const auto now = Clock::now();
    if (cs_->controller && cs_->controller->points_passed() != points) {
      points = cs_->controller->points_passed();
      points_at = now;
    }
    if (watch.progressed(cs_->live->current_trial.load(std::memory_order_relaxed),
                         cs_->live->progress(), now))
      continue;
    if (cs_->live->classifying.load(std::memory_order_relaxed) != 0) {
      watch.rest(now);
      continue;
    }
    if (cs_->controller && cs_->controller->parked() > 0) {
      // A deadlock whose threads could not unwind (a joinable std::thread
      // or a noexcept frame on the way: std::terminate, caught by the
      // controller and turned into a parked thread). The trial is the
      // deadlock it was; its threads stay where they are.
      return abandon_trial(std::move(team), Outcome::deadlock, watch.trial(),
                           cs_->controller->deadlock_report(true) +
                               "\n(a thread could not unwind from the deadlock, so the case "
                               "ends with this trial)");
    }
    if (watch.overdue(now)) {
      const double quiet_s = std::chrono::duration<double>(now - points_at).count();
      // The watchdog samples every 100 ms: a point passed within the last
      // sample could hide; none in 90% of the timeout is none in the trial.
      result_.unsteerable = cs_->controller && !cs_->controller->waiting_for_io() &&
                            quiet_s >= 0.9 * c_.schedule.timeout_s;
      // Composed before the call: an argument's std::move(team) may run
      // first (clang evaluates left to right) and leave `team` null.
      std::string message = hang_message(*team, watch.trial(), quiet_s);
      return abandon_trial(std::move(team), Outcome::hang, watch.trial(), std::move(message));
    }
  }
}

// What a hang says: what the controlled scheduler saw last (taken first,
// before the stacks take time), then each thread's stack. Threads the code
// under test started in the trial are named and shown too: one of them may
// be the one stuck in a call the scheduler does not model.
std::string CaseRun::hang_message(ThreadTeam& team, std::uint64_t trial, double quiet_s) const {
  const std::string stall = cs_->controller ? cs_->controller->stall_report(quiet_s) : "";
  std::vector<pthread_t> handles = team.native_handles();
  std::vector<std::string> names;
  for (std::size_t k = 0; k < handles.size(); ++k) names.push_back(instance_name(*cs_, k));
  // Roles as fibers: the one thread runs the role that holds the turn (the
  // others' stacks are switched out), or waits while a started thread does.
  if (cs_->fibers && !names.empty()) {
    const unsigned holder = cs_->controller->holder();
    names[0] = (holder < cs_->team_size                ? instance_name(*cs_, holder)
                : holder != sched::Controller::kNoSlot ? cs_->controller->name(holder)
                                                       : std::string("nobody")) +
               " (the fibers' thread)";
  }
  if (cs_->controller)
    for (const auto& [name, handle] : cs_->controller->running_spawned()) {
      names.push_back(name);
      handles.push_back(static_cast<pthread_t>(handle));
    }
  std::string stacks;
  const std::vector<std::string> traces = capture_stacks(handles);
  for (std::size_t k = 0; k < traces.size() && k < names.size(); ++k)
    stacks += fmt::format("\nthread {}:\n{}", names[k], traces[k]);
  const std::uint32_t len = *cs_->batch_len;
  if (cs_->batch > 1 && len > 1)
    return fmt::format(
        "trials {}-{}, a batch, still running after {}s (the {}s timeout for each of up to {} "
        "trials; the roles run them one after another, so the one that hangs is among them){}",
        trial, trial + len - 1, c_.schedule.timeout_s * cs_->batch, c_.schedule.timeout_s,
        cs_->batch, stacks);
  return fmt::format("trial {} still running after the {}s timeout{}{}", trial,
                     c_.schedule.timeout_s, stall, stacks);
}

// The stuck threads cannot be stopped in-process: leave them where they are,
// on memory that is leaked with them, and end the case with trial `t`.
void CaseRun::abandon_trial(std::unique_ptr<ThreadTeam> team, Outcome outcome, std::uint64_t t,
                            std::string message) {
  const auto now = Clock::now();
  team->abandon();
  (void)team.release();
  CaseState* leaked = cs_.release();
  result_.outcomes = leaked->outcomes;
  result_.trials = leaked->run_count + 1;
  result_.outcomes[static_cast<std::size_t>(outcome)] += 1;
  if (!leaked->first_failure) {
    result_.first_failure = model::TrialFailure{
        t,
        model::trial_seed(plan_.seed, c_.id,
                          model::seeded_as(t, model::searches(c_.schedule.strategy))),
        outcome,
        std::move(message),
        std::chrono::duration<double>(now - leaked->t0).count(),
        replay_command(c_, plan_.seed, t, leaked->steps, plan_.command_prefix),
        {}};
    if (hooks_.on_failure) hooks_.on_failure(*result_.first_failure);
  } else {
    result_.first_failure = leaked->first_failure;
  }
  leaked->live->outcomes[static_cast<std::size_t>(outcome)].fetch_add(1);
  leaked->live->trials_done.fetch_add(1);
  result_.stopped_by = model::StopReason::failure;
  result_.measured = leaked->measured();
  result_.elapsed_s = std::chrono::duration<double>(now - leaked->t0).count();
  result_.met = model::verdict(result_);
  done_ = true;
}

void CaseRun::collect() {
  const CaseState& cs = *cs_;
  result_.elapsed_s = std::chrono::duration<double>(Clock::now() - cs.t0).count();
  // Slots are reset only when the next trial is prepared, so after the last
  // trial they still hold its values.
  for (std::size_t k = 0; k < cs.metrics.size(); ++k)
    if (cs.metrics[k].set)
      result_.metrics.emplace_back(
          c_.scenario->metrics[k].name,
          cs.metrics[k].is_int ? static_cast<double>(cs.metrics[k].i) : cs.metrics[k].d);
  // The site's facts of the last checked trial go with them, so a report
  // shows what the server saw (requests, faults, bytes) next to the metrics.
  if (cs.site && cs.vars.size() >= cs.site_base + fixtures::kSiteFactNames.size())
    for (std::size_t k = 0; k < fixtures::kSiteFactNames.size(); ++k)
      if (const check::Value& v = cs.vars[cs.site_base + k]; v.kind != check::Value::Kind::none)
        result_.metrics.emplace_back(std::string(fixtures::kSiteFactNames[k]), v.d);
  result_.measured = cs.measured();
  result_.trials = cs.run_count;
  result_.outcomes = cs.outcomes;
  result_.first_failure = cs.first_failure;
  result_.stopped_by = cs.stopped_by;
  result_.schedules = cs.schedules.count();
  if (cs.controller) result_.explored = cs.controller->exploration();
  result_.met = model::verdict(result_);
}

}  // namespace strain::exec
