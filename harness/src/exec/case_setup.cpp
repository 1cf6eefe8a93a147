// Building a case's state before its first trial: the arena (the bundles
// of a batch, the contexts, the strategy state, the params), the controlled
// scheduler and the contexts' fixed fields. Running the trials is
// exec/case_run.cpp's.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/apart.hpp"
#include "exec/arena.hpp"
#include "exec/case_run.hpp"
#include "exec/case_state.hpp"
#include "exec/process_lane.hpp"
#include "exec/process_team.hpp"
#include "fixtures/site_server.hpp"
#include "model/seed.hpp"
#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/strategy.hpp"
#include "sched/trace.hpp"
#include "strain/context.hpp"

namespace strain::exec {

namespace {

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

}  // namespace

bool CaseRun::set_up() {
  if (c_.scenario == nullptr || c_.scenario->desc == nullptr) {
    error("scenario '" + c_.plugin + "' is not loaded");
    return false;
  }
  if (model::steered(c_.schedule.strategy) && c_.schedule.topology == spec::Topology::processes) {
    // The spec loader rejects this; a hand-made Case must not get further.
    error("strategy controlled runs in the threads topology only");
    return false;
  }
  cs_ = std::make_unique<CaseState>();
  cs_->kase = &c_;
  cs_->desc = c_.scenario->desc;
  cs_->plan = plan_;
  cs_->hooks = hooks_;
  if (hooks_.live != nullptr) cs_->live = hooks_.live;
  cs_->spec_seed = plan_.seed;
  cs_->case_seed = model::case_seed(plan_.seed, c_.id);
  cs_->planned = plan_.only_trial ? plan_.repeat : c_.schedule.trials;
  if (!plan_.only_trial) cs_->next_trial = std::min(plan_.first_trial, cs_->planned);
  unsigned n = 0;
  for (int count : c_.schedule.role_counts) n += static_cast<unsigned>(count);
  const bool processes = c_.schedule.topology == spec::Topology::processes;
  make_arena(n, processes);
  cs_->n_params = c_.params.size();
  cs_->vars = c_.params;
  cs_->site_base = c_.params.size() + c_.scenario->metrics.size();
  cs_->vars.resize(std::max(cs_->site_base, c_.names.size()));
  if (c_.site) {
    // A fixture that cannot start is the case's error, not a trial's.
    try {
      cs_->site = std::make_unique<fixtures::SiteServer>(*c_.site);
    } catch (const std::exception& e) {
      error(e.what());
      return false;
    }
  }
  if (model::steered(c_.schedule.strategy) && !make_controller()) return false;
  make_contexts(n);
  return true;
}

// Everything roles write lives in the arena: shared with the role processes
// in the process topology, so the same scenario code runs in both.
void CaseRun::make_arena(unsigned n, bool processes) {
  const std::size_t n_metrics = c_.scenario->metrics.size();
  // A ThreadSanitizer build runs one trial at a time, so that each report
  // is one trial's, and a replay runs the one trial it names; the spec
  // loader refuses a batch where it cannot run at all.
  cs_->batch =
      model::steered(c_.schedule.strategy) || c_.site || plan_.tsan_build || plan_.only_trial
          ? 1
          : c_.schedule.batch;
  cs_->team_size = n;
  const std::size_t b = cs_->batch;
  // Each state on lines of its own: the roles work on neighbouring ones at
  // once in a batch.
  const std::size_t state_align = std::max(cs_->desc->state_align, core::kApart);
  cs_->state_stride = (cs_->desc->state_size + state_align - 1) / state_align * state_align;
  cs_->arena = std::make_unique<Arena>(
      Arena::size_for(b * (cs_->state_stride + (n + 1) * sizeof(Context) +
                           n_metrics * sizeof(detail::MetricSlot) + sizeof(TrialStamp)) +
                          n * sizeof(sched::ThreadSched) + sizeof(ProcessControl) +
                          c_.show.size() * sizeof(CaseState::Accumulator) + sizeof(LiveCounters) +
                          sizeof(LaneTally) + sizeof(std::atomic<std::uint32_t>) +
                          c_.params.size() * sizeof(detail::ParamValue) + state_align +
                          sizeof(std::uint32_t),
                      14),
      processes);
  Arena& arena = *cs_->arena;
  cs_->states = static_cast<std::byte*>(arena.allocate(b * cs_->state_stride, state_align));
  cs_->mains = arena.make_array<Context>(b);
  cs_->budget_spent = &arena.make_array<std::atomic<std::uint32_t>>(1)[0];
  // The thread topology's: the process topology's is on its start barrier's
  // line (exec/trial_stamp.hpp).
  cs_->stamp = arena.make_array<TrialStamp>(b).data();
  cs_->all_ctx = arena.make_array<Context>(b * n);
  cs_->batch_len = &arena.make_array<std::uint32_t>(1)[0];
  *cs_->batch_len = 1;
  cs_->sched_state = arena.make_array<sched::ThreadSched>(n);
  cs_->all_metrics = arena.make_array<detail::MetricSlot>(b * n_metrics);
  cs_->metrics = cs_->all_metrics.first(n_metrics);
  cs_->select(0);
  cs_->shown = arena.make_array<CaseState::Accumulator>(c_.show.size());
  for (std::size_t k = 0; k < c_.show.size(); ++k) cs_->shown[k].metric = c_.show[k].metric;
  if (processes) {
    // The role processes count the trials they check (exec/process_lane.hpp).
    if (hooks_.live == nullptr) cs_->live = &arena.make_array<LiveCounters>(1)[0];
    cs_->lane = &arena.make_array<LaneTally>(1)[0];
  }
  cs_->params = arena.make_array<detail::ParamValue>(c_.params.size());
  for (std::size_t k = 0; k < c_.params.size(); ++k) cs_->params[k] = to_param(c_.params[k]);
}

bool CaseRun::make_controller() {
  std::vector<std::string> names;
  for (std::uint32_t r = 0; r < c_.schedule.role_counts.size(); ++r)
    for (int i = 0; i < c_.schedule.role_counts[r]; ++i)
      names.push_back(fmt::format("{}#{}", c_.scenario->roles[r].name, i));
  cs_->controller = std::make_unique<sched::Controller>(c_.schedule.strategy, names);
  cs_->search = cs_->search_warm_up = model::searches(c_.schedule.strategy);
  sched::Controller::guard_terminate();
  cs_->controller->log_steps(!plan_.trace_out.empty());
  if (!plan_.trace_in.empty()) {
    try {
      const sched::Trace t = sched::read_trace(plan_.trace_in);
      cs_->controller->follow(t.decisions);
      if (!cs_->plan.steps && t.steps > 0) cs_->plan.steps = t.steps;
    } catch (const std::exception& e) {
      error(e.what());
      return false;
    }
  }
  // A replay given no --steps keeps PCT's k fixed, so that its repetitions
  // run one interleaving rather than learn from each other.
  if (plan_.only_trial && !cs_->plan.steps) cs_->plan.steps = sched::Controller::kInitialSteps;
  if (plan_.only_trial) {
    // A search reaches trial N's interleaving by running the N before it.
    const std::uint64_t n = *plan_.only_trial;
    if (cs_->search) {
      cs_->warm_left = n;
      cs_->warm_next = 0;
    } else if (n > 0) {
      cs_->warm_left = 1;
      cs_->warm_next = n - 1;
    }
  }
  return true;
}

void CaseRun::make_contexts(unsigned n) {
  CaseState& cs = *cs_;
  for (int count : c_.schedule.role_counts)
    cs.role_counts.push_back(static_cast<std::uint32_t>(count));
  // `salt`: the context's part of its generator's seed (model::context_seed).
  auto init = [&](Context& ctx, std::uint32_t role, std::uint32_t instance, std::uint32_t count,
                  std::uint64_t salt) {
    detail::ContextData& d = detail::context_data(ctx);
    d.salt = salt;
    d.desc = cs.desc;
    d.params = cs.params.data();
    d.role_counts = cs.role_counts.data();
    d.site = cs.site ? &cs.site->data() : nullptr;
    d.time_scale = c_.schedule.time_scale;
    d.role = role;
    d.instance = instance;
    d.role_instances = count;
  };
  for (std::uint32_t j = 0; j < cs.batch; ++j) {
    // Every bundle's contexts alike: a trial's seeds depend on its index,
    // not on where in a batch it ran.
    cs.select(j);
    init(*cs.main, 0, 0, 1, 0);
    detail::context_data(*cs.main).metrics = cs.metrics.data();
    for (std::uint32_t r = 0, k = 0; r < c_.schedule.role_counts.size(); ++r) {
      const auto count = static_cast<std::uint32_t>(c_.schedule.role_counts[r]);
      for (std::uint32_t i = 0; i < count; ++i, ++k) {
        init(cs.thread_ctx[k], r, i, count, k + 1);
        sched::install(c_.schedule.strategy, cs.thread_ctx[k], cs.sched_state[k], k, n,
                       cs.controller.get());
        if (cs.controller) cs.controller->set_owner(k, &cs.thread_ctx[k]);
      }
    }
  }
  cs.select(0);
}

}  // namespace strain::exec
