#include "spec/resolved_check.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "model/strategy.hpp"
#include "spec/limits.hpp"

namespace strain::spec::detail {

namespace {

// A batch runs several trials per start of the team, each role going
// through them one after another: under `controlled` one role runs at a
// time anyway and each trial's schedule must be its own; the site fixture
// brackets each trial's requests in its log.
void check_batch(Diagnostics& diags, const Resolved& r, std::int64_t instances, bool site) {
  if (r.schedule.batch <= 1) return;
  if (instances * r.schedule.batch > limits::kMaxBatchContexts)
    diags.error(r.batch_loc,
                fmt::format("batch {} of {} role instances is {} role contexts, past the limit "
                            "of {} per case (lower the batch)",
                            r.schedule.batch, instances, instances * r.schedule.batch,
                            limits::kMaxBatchContexts));
  if (site)
    diags.error(r.batch_loc, fmt::format("batch {} cannot run with the site fixture, whose log "
                                         "is kept per trial (use batch: 1)",
                                         r.schedule.batch));
  if (model::steered(r.schedule.strategy))
    diags.error(r.batch_loc,
                fmt::format("batch {} needs strategy none, random or chaos; this case runs "
                            "under controlled{} (one trial at a time)",
                            r.schedule.batch,
                            r.strategy_named ? "" : ", the default when a case names none"));
}

}  // namespace

// What can only be checked once every level has been applied; reported
// where it was last set (deduplicated across the matrix's points).
void check_resolved(Diagnostics& diags, const plugin::ScenarioInfo& scenario, const Resolved& r,
                    bool site) {
  std::int64_t total = 0;  // 64 bits: two counts near INT_MAX must not wrap
  for (const int c : r.schedule.role_counts) total += c;
  if (total < 1) diags.error(r.roles_loc, "roles must total at least 1 instance, got 0");
  for (std::size_t k = 0; k < r.schedule.role_counts.size() && k < scenario.roles.size(); ++k) {
    const auto& role = scenario.roles[k];
    // 0 leaves a role out, which a spec may do; 1 of a role that needs
    // two would run and report a false finding (or none).
    const int count = r.schedule.role_counts[k];
    if (count > 0 && count < static_cast<int>(role.min_instances))
      diags.error(r.roles_loc,
                  fmt::format("role '{}' needs at least {} instances (its plugin declares "
                              "it), got {}",
                              role.name, role.min_instances, count));
  }
  if (total > limits::kMaxRoleInstances)
    diags.error(r.roles_loc, fmt::format("roles total {} instances, past the limit of {} per case",
                                         total, limits::kMaxRoleInstances));
  const auto& s = r.schedule.strategy;
  const double sum = s.yield_p + s.spin_p + s.sleep_p;
  if (sum > 1.0 + 1e-12)
    diags.error(r.strategy_loc,
                fmt::format("strategy probabilities must sum to <= 1, got yield_p + spin_p + "
                            "sleep_p = {}",
                            sum));
  // The starvation length is log-uniform, which a zero lower bound would
  // turn into log(0): refuse it here rather than starve for NaN.
  const bool chaos = s.name == model::StrategyName::chaos;
  if (chaos && s.starve_min_us <= 0)
    diags.error(r.strategy_loc, fmt::format("strategy chaos needs starve_min_us > 0 (starvation is "
                                            "log-uniform between the bounds), got {}",
                                            s.starve_min_us));
  if (chaos && s.depth > spec::Strategy::kChaosMaxDepth)
    diags.error(
        r.strategy_loc,
        fmt::format("strategy chaos supports depth <= {} ({} change points), got {}",
                    spec::Strategy::kChaosMaxDepth, spec::Strategy::kChaosMaxDepth - 1, s.depth));
  if (chaos && s.starve_min_us > s.starve_max_us)
    diags.error(r.strategy_loc,
                fmt::format("strategy chaos needs starve_min_us <= starve_max_us, got {} > {}",
                            s.starve_min_us, s.starve_max_us));
  // One role runs at a time under `controlled`, handing the turn over in
  // memory private to the worker; role processes cannot share it.
  if (!model::info(s.name).runs_processes && r.schedule.topology == Topology::processes)
    diags.error(r.strategy_loc,
                "strategy controlled runs roles as threads only; this case has topology "
                "processes (use strategy chaos or random there)");
  check_batch(diags, r, total, site);
}

}  // namespace strain::spec::detail
