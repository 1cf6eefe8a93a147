#include "exec/case_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <set>
#include <system_error>
#include <vector>

#include "core/shell_quote.hpp"
#include "exec/arena.hpp"
#include "exec/case_state.hpp"
#include "exec/process_team.hpp"
#include "exec/sanitizer_hook.hpp"
#include "exec/stacks.hpp"
#include "exec/thread_team.hpp"
#include "fixtures/site_facts.hpp"
#include "fixtures/site_server.hpp"
#include "sched/controller.hpp"
#include "sched/strategy.hpp"
#include "sched/trace.hpp"
#include "strain/context.hpp"

namespace strain::exec {

namespace {

using model::Outcome;

detail::ParamValue to_param(const check::Value& v) {
  detail::ParamValue p;
  switch (v.kind) {
    case check::Value::Kind::integer:
      p.type = ParamType::integer;
      p.i = v.i;
      p.d = v.d;
      break;
    case check::Value::Kind::number:
      p.type = ParamType::number;
      p.d = v.d;
      break;
    case check::Value::Kind::boolean:
      p.type = ParamType::boolean;
      p.b = v.b;
      break;
    case check::Value::Kind::string:
    case check::Value::Kind::none:
      p.type = ParamType::string;
      p.s = v.s.c_str();
      p.s_len = v.s.size();
      break;
  }
  return p;
}

void team_body(void* arg, unsigned index) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  Context& ctx = cs.thread_ctx[index];
  sched::role_started(ctx);
  cs.desc->run_role(cs.state, cs.thread_role[index], ctx);
  sched::role_ended(ctx);
}

bool team_between(void* arg) noexcept {
  auto& cs = *static_cast<CaseState*>(arg);
  // Threads the roles started may still be leaving the code under test
  // (after a deadlock, every one is unwinding): the state is theirs until
  // they did.
  if (cs.controller) cs.controller->wait_spawned_exit();
  cs.finish();
  if (cs.stopped_by != model::StopReason::none) return false;
  return cs.prepare();
}

// The process topology's trial loop, on the worker's own thread: the role
// processes run the roles; this thread prepares, releases and checks each
// trial, and turns a role process's death or a hang into the trial's outcome.
void run_processes(CaseState& cs, unsigned n, ProcessControl* control) {
  ProcessTeam team(n, &team_body, &cs, control);
  cs.live->running.store(1, std::memory_order_relaxed);
  auto last_progress = Clock::now();
  for (;;) {
    std::string why;
    unsigned index = 0;
    const ProcessTeam::End end = team.run_trial(cs.kase->schedule.timeout_s, why, index);
    if (end == ProcessTeam::End::done) {
      if (!team_between(&cs)) return;
    } else {
      const auto& role = cs.kase->scenario->roles[cs.thread_role[index]].name;
      const std::string who = fmt::format("role {}#{}: ", role, cs.thread_ctx[index].d_.instance);
      if (end == ProcessTeam::End::died) {
        const bool signaled = why.find("killed by signal") != std::string::npos;
        (void)cs.record(signaled ? Outcome::crash : Outcome::error, who + why);
      } else {
        // Name the trial and the role processes that never finished it, as
        // the thread topology names its threads.
        std::string stuck;
        for (const auto& [k, pid] : team.still_running())
          stuck += fmt::format("{}{}#{} (pid {})", stuck.empty() ? "" : ", ",
                               cs.kase->scenario->roles[cs.thread_role[k]].name,
                               cs.thread_ctx[k].d_.instance, pid);
        (void)cs.record(
            Outcome::hang,
            fmt::format("trial {} still running after the {}s timeout; role processes still "
                        "running: {}",
                        cs.live->current_trial.load(std::memory_order_relaxed),
                        cs.kase->schedule.timeout_s, stuck.empty() ? "none" : stuck));
      }
      // The state may be half-changed and a role process is gone: the case
      // ends here. The team's destructor kills what is still running.
      cs.stopped_by = model::StopReason::failure;
      return;
    }
    if (cs.opt.progress && Clock::now() - last_progress > std::chrono::milliseconds(100)) {
      last_progress = Clock::now();
      cs.opt.progress(model::CaseProgress{cs.kase->id, cs.run_count, cs.planned,
                                   std::chrono::duration<double>(last_progress - cs.t0).count(),
                                   cs.kase->schedule.budget_s, cs.live->snapshot()});
    }
  }
}


}  // namespace

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
  return r;
}

// The verdict: a case expecting pass meets it when nothing failed; a case
// expecting a failure outcome meets it when that outcome was seen and no
// other kind of failure was.
bool verdict(const model::CaseResult& r) {
  const auto count = [&](Outcome o) { return r.outcomes[static_cast<std::size_t>(o)]; };
  if (r.stopped_by == model::StopReason::error) return false;
  for (Outcome o : model::kAllOutcomes)
    if (model::is_failure(o) && o != r.expected && r.expected != Outcome::fail && count(o) > 0)
      return false;
  if (r.expected == Outcome::fail)
    return std::any_of(model::kAllOutcomes.begin(), model::kAllOutcomes.end(),
                       [&](Outcome o) { return model::is_failure(o) && count(o) > 0; });
  return r.expected == Outcome::pass ? r.trials > 0 : count(r.expected) > 0;
}

std::uint64_t trial_seed(std::uint64_t spec_seed, const std::string& case_id, std::uint64_t trial) {
  return mix(mix(spec_seed, hash_id(case_id)), trial + 1);
}

namespace {
// trial_seed() without its second half: what CaseState mixes each trial with.
std::uint64_t case_seed_of(std::uint64_t spec_seed, const std::string& case_id) {
  return mix(spec_seed, hash_id(case_id));
}
}  // namespace

std::string replay_command(const spec::Case& c, std::uint64_t spec_seed, std::uint64_t trial,
                           std::uint64_t steps, const std::vector<std::string>& prefix) {
  std::vector<std::string> words = prefix;
  if (words.empty()) words.emplace_back("strain");
  // The spec's absolute path: the line is pasted from a CI log or a ctest
  // run whose working folder is not the reader's.
  std::error_code ec;
  std::filesystem::path spec = std::filesystem::absolute(c.spec_path, ec);
  if (ec) spec = c.spec_path;
  words.insert(words.end(), {"replay", c.id, "--seed", std::to_string(spec_seed), "--trial",
                             std::to_string(trial), "--spec", spec.lexically_normal().string()});
  if (steps > 0) words.insert(words.end(), {"--steps", std::to_string(steps)});
  // A run's --strategy replaced the spec's: the replay must name it too.
  if (!c.strategy_flag.empty()) words.insert(words.end(), {"--strategy", c.strategy_flag});
  return shell_join(words);
}

model::CaseResult run_case(const spec::Case& c, const RunOptions& opt) {
  const std::uint64_t spec_seed = opt.seed.value_or(c.schedule.seed);
  model::CaseResult result = base_result(c, spec_seed, opt.tsan_build);
  if (c.scenario == nullptr || c.scenario->desc == nullptr) {
    result.stopped_by = model::StopReason::error;
    result.note = "scenario '" + c.plugin + "' is not loaded";
    return result;
  }

  auto cs = std::make_unique<CaseState>();
  cs->kase = &c;
  cs->desc = c.scenario->desc;
  cs->opt = opt;
  if (opt.live != nullptr) cs->live = opt.live;
  cs->spec_seed = spec_seed;
  cs->case_seed = case_seed_of(spec_seed, c.id);
  cs->planned = opt.only_trial ? opt.repeat : c.schedule.trials;
  if (!opt.only_trial) cs->next_trial = std::min(opt.first_trial, cs->planned);
  unsigned n = 0;
  for (int count : c.schedule.role_counts) n += static_cast<unsigned>(count);
  const bool processes = c.schedule.topology == spec::Topology::processes;
  const bool controlled = c.schedule.strategy.name == "controlled";
  if (controlled && processes) {
    // The spec loader rejects this; a hand-made Case must not get further.
    result.stopped_by = model::StopReason::error;
    result.note = "strategy controlled runs in the threads topology only";
    return result;
  }
  // Everything roles write lives in the arena: shared with the role
  // processes in the process topology, so the same scenario code runs in both.
  cs->arena = std::make_unique<Arena>(
      Arena::size_for(cs->desc->state_size + n * (sizeof(Context) + sizeof(sched::ThreadSched)) +
                          sizeof(ProcessControl),
                      4),
      processes);
  cs->state = cs->arena->allocate(cs->desc->state_size, cs->desc->state_align);
  cs->thread_ctx = cs->arena->make_array<Context>(n);
  cs->sched_state = cs->arena->make_array<sched::ThreadSched>(n);
  ProcessControl* control = processes ? &cs->arena->make_array<ProcessControl>(1)[0] : nullptr;

  for (const auto& v : c.params) cs->params.push_back(to_param(v));
  cs->metrics.resize(c.scenario->metrics.size());
  for (const auto& sh : c.show) cs->shown.push_back({sh.metric, 0, 0.0, 0.0, 0.0});
  cs->n_params = c.params.size();
  cs->vars = c.params;
  cs->site_base = c.params.size() + c.scenario->metrics.size();
  cs->vars.resize(std::max(cs->site_base, c.names.size()));
  if (c.site) {
    // A fixture that cannot start is the case's error, not a trial's.
    try {
      cs->site = std::make_unique<fixtures::SiteServer>(*c.site);
    } catch (const std::exception& e) {
      result.stopped_by = model::StopReason::error;
      result.note = e.what();
      result.met = false;
      return result;
    }
  }

  for (int count : c.schedule.role_counts)
    cs->role_counts.push_back(static_cast<std::uint32_t>(count));
  auto init = [&](Context& ctx, std::uint32_t role, std::uint32_t instance, std::uint32_t count) {
    ctx.d_.desc = cs->desc;
    ctx.d_.params = cs->params.data();
    ctx.d_.role_counts = cs->role_counts.data();
    ctx.d_.site = cs->site ? &cs->site->data() : nullptr;
    ctx.d_.time_scale = c.schedule.time_scale;
    ctx.d_.role = role;
    ctx.d_.instance = instance;
    ctx.d_.role_instances = count;
  };
  init(cs->main, 0, 0, 1);
  cs->main.d_.metrics = cs->metrics.data();
  std::vector<std::string> names;
  for (std::uint32_t r = 0; r < c.schedule.role_counts.size(); ++r)
    for (int i = 0; i < c.schedule.role_counts[r]; ++i)
      names.push_back(fmt::format("{}#{}", c.scenario->roles[r].name, i));
  if (controlled) {
    cs->controller = std::make_unique<sched::Controller>(c.schedule.strategy, names);
    sched::Controller::guard_terminate();
    cs->controller->log_steps(!opt.trace_out.empty());
    if (!opt.trace_in.empty()) {
      try {
        const sched::Trace t = sched::read_trace(opt.trace_in);
        cs->controller->follow(t.decisions);
        if (!cs->opt.steps && t.steps > 0) cs->opt.steps = t.steps;
      } catch (const std::exception& e) {
        result.stopped_by = model::StopReason::error;
        result.note = e.what();
        return result;
      }
    }
    // A replay given no --steps keeps PCT's k fixed, so that its repetitions
    // run one interleaving rather than learn from each other.
    if (opt.only_trial && !cs->opt.steps) cs->opt.steps = sched::Controller::kInitialSteps;
    cs->warming = opt.only_trial && *opt.only_trial > 0;
  }
  for (std::uint32_t r = 0, k = 0; r < c.schedule.role_counts.size(); ++r) {
    const auto count = static_cast<std::uint32_t>(c.schedule.role_counts[r]);
    for (std::uint32_t i = 0; i < count; ++i, ++k) {
      init(cs->thread_ctx[k], r, i, count);
      sched::install(c.schedule.strategy, cs->thread_ctx[k].d_, cs->sched_state[k], k, n,
                     cs->controller.get());
      if (cs->controller) cs->controller->set_owner(k, &cs->thread_ctx[k]);
      cs->thread_role.push_back(r);
    }
  }

  cs->t0 = Clock::now();
  const double budget_s = opt.budget_s.value_or(c.schedule.budget_s);
  cs->deadline = cs->t0 + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(budget_s));
  // The system may refuse the role instances a spec asks for (threads or
  // processes past a limit): that is the case's error, said as such, not a
  // crash of trial 0 blamed on the plugin (issue 13).
  const auto cannot_start = [&](const std::exception& e) {
    result.trials = cs->run_count;
    result.outcomes = cs->outcomes;
    result.first_failure = cs->first_failure;
    result.stopped_by = model::StopReason::error;
    result.note = fmt::format("cannot start the case's {} role {}: {}", n,
                              processes ? "processes" : "threads", e.what());
    result.met = false;
    return result;
  };
  if (!cs->prepare()) {
    // Every trial failed in setup before any role ran.
  } else if (processes) {
    try {
      run_processes(*cs, n, control);
    } catch (const std::exception& e) {
      return cannot_start(e);
    }
  } else {
    std::unique_ptr<ThreadTeam> team;
    try {
      team = std::make_unique<ThreadTeam>(n, &team_body, &team_between, cs.get());
    } catch (const std::system_error& e) {
      return cannot_start(e);
    }
    team->start();
    cs->live->running.store(1, std::memory_order_relaxed);
    // The stuck threads cannot be stopped in-process: leave them where they
    // are, on memory that is leaked with them, and end the case with trial
    // `t` as `outcome`.
    auto abandon_trial = [&](Outcome outcome, std::uint64_t t, std::string message,
                             Clock::time_point now) {
      team->abandon();
      (void)team.release();
      CaseState* leaked = cs.release();
      result.outcomes = leaked->outcomes;
      result.trials = leaked->run_count + 1;
      result.outcomes[static_cast<std::size_t>(outcome)] += 1;
      if (!leaked->first_failure)
        result.first_failure =
            model::TrialFailure{t,
                         trial_seed(spec_seed, c.id, t),
                         outcome,
                         std::move(message),
                         std::chrono::duration<double>(now - leaked->t0).count(),
                         replay_command(c, spec_seed, t, leaked->steps, opt.command_prefix),
                         {}};
      else
        result.first_failure = leaked->first_failure;
      leaked->live->outcomes[static_cast<std::size_t>(outcome)].fetch_add(1);
      leaked->live->trials_done.fetch_add(1);
      if (opt.on_failure && !leaked->first_failure) opt.on_failure(*result.first_failure);
      result.stopped_by = model::StopReason::failure;
      result.measured = leaked->measured();
      result.elapsed_s = std::chrono::duration<double>(now - leaked->t0).count();
      result.met = verdict(result);
      return result;
    };
    std::uint64_t watched = cs->live->current_trial.load();
    std::uint64_t watched_done = 0;
    auto watched_since = Clock::now();
    while (!team->wait_done(0.1)) {
      const auto now = Clock::now();
      if (opt.progress) {
        model::CaseProgress p{c.id,
                       cs->live->trials_done.load(std::memory_order_relaxed),
                       cs->planned,
                       std::chrono::duration<double>(now - cs->t0).count(),
                       c.schedule.budget_s,
                       cs->live->snapshot()};
        opt.progress(p);
      }
      // The watchdog: the same trial running longer than the timeout hangs.
      const std::uint64_t done_now = cs->live->trials_done.load(std::memory_order_relaxed);
      const std::uint64_t current = cs->live->current_trial.load(std::memory_order_relaxed);
      if (done_now != watched_done || current != watched) {
        watched_done = done_now;
        watched = current;
        watched_since = now;
      } else if (cs->controller && cs->controller->parked() > 0) {
        // A deadlock whose threads could not unwind (a joinable std::thread
        // or a noexcept frame on the way: std::terminate, caught by the
        // controller and turned into a parked thread). The trial is the
        // deadlock it was; its threads stay where they are.
        return abandon_trial(Outcome::deadlock, watched,
                             cs->controller->deadlock_report(true) +
                                 "\n(a thread could not unwind from the deadlock, so the case "
                                 "ends with this trial)",
                             now);
      } else if (std::chrono::duration<double>(now - watched_since).count() >
                 c.schedule.timeout_s) {
        // What the controlled scheduler saw last, before the stacks take time.
        const std::string stall = cs->controller ? cs->controller->stall_report() : "";
        // Each thread's stack says where the trial is stuck. Threads the
        // code under test started in the trial are named and shown too: one
        // of them may be the one stuck in a call the scheduler does not model.
        std::vector<pthread_t> handles = team->native_handles();
        std::vector<std::string> names;
        for (std::size_t k = 0; k < handles.size(); ++k)
          names.push_back(fmt::format("{}#{}", c.scenario->roles[cs->thread_role[k]].name,
                                      cs->thread_ctx[k].d_.instance));
        if (cs->controller)
          for (const auto& [name, handle] : cs->controller->running_spawned()) {
            names.push_back(name);
            handles.push_back(static_cast<pthread_t>(handle));
          }
        std::string stacks;
        const std::vector<std::string> traces = capture_stacks(handles);
        for (std::size_t k = 0; k < traces.size() && k < names.size(); ++k)
          stacks += fmt::format("\nthread {}:\n{}", names[k], traces[k]);
        return abandon_trial(Outcome::hang, watched,
                             fmt::format("trial {} still running after the {}s timeout{}{}",
                                         watched, c.schedule.timeout_s, stall, stacks),
                             now);
      }
    }
  }
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - cs->t0).count();
  // Slots are reset only when the next trial is prepared, so after the last
  // trial they still hold its values.
  for (std::size_t k = 0; k < cs->metrics.size(); ++k)
    if (cs->metrics[k].set)
      result.metrics.emplace_back(
          c.scenario->metrics[k].name,
          cs->metrics[k].is_int ? static_cast<double>(cs->metrics[k].i) : cs->metrics[k].d);
  // The site's facts of the last checked trial go with them, so a report
  // shows what the server saw (requests, faults, bytes) next to the metrics.
  if (cs->site && cs->vars.size() >= cs->site_base + fixtures::kSiteFactNames.size())
    for (std::size_t k = 0; k < fixtures::kSiteFactNames.size(); ++k)
      if (const check::Value& v = cs->vars[cs->site_base + k]; v.kind != check::Value::Kind::none)
        result.metrics.emplace_back(std::string(fixtures::kSiteFactNames[k]), v.d);
  result.measured = cs->measured();
  result.trials = cs->run_count;
  result.outcomes = cs->outcomes;
  result.first_failure = cs->first_failure;
  result.stopped_by = cs->stopped_by;
  result.schedules = cs->schedules.count();
  result.met = verdict(result);
  return result;
}

}  // namespace strain::exec
