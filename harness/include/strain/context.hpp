#pragma once
// What the harness hands a scenario: params, a seeded RNG, schedule points,
// scaled sleep, metrics and expectations.

#include <chrono>
#include <cstdint>
#include <string_view>
#include <thread>
#include <type_traits>

#include "strain/rng.hpp"
#include "strain/schedule.hpp"
#include "strain/site.hpp"

namespace strain {

//! How a trial failed, as recorded by a context.
enum class FailureKind : std::uint32_t { none, violation, error };

//! The type of a scenario parameter.
enum class ParamType : std::uint32_t { integer, number, boolean, string };

namespace detail {

struct ScenarioDescriptor;  // host-side plain data (harness/src/runtime)
struct ParamValue;
struct MetricSlot;

//! The host-owned state behind a Context, plain data covered by the ABI
//! version; only the host and the runtime reach it (through ContextAccess).
struct ContextData {
  const ScenarioDescriptor* desc = nullptr;
  const ParamValue* params = nullptr;  // parallel to the descriptor's params
  MetricSlot* metrics = nullptr;       // parallel to its metrics; null in roles
  // Called at every schedule point; null when the strategy takes none.
  void (*point_fn)(Context&, const char* label, const void* object, Access kind) noexcept = nullptr;
  const SchedHooks* hooks = nullptr;           // set by `controlled` only
  void* sched = nullptr;                       // the strategy's per-thread state
  const std::uint32_t* role_counts = nullptr;  // parallel to the descriptor's roles
  const SiteData* site = nullptr;              // the case's site fixture; null: none
  Rng rng;
  double time_scale = 1.0;
  std::uint32_t role = 0, instance = 0, role_instances = 1;
  std::uint64_t trial = 0, seed = 0;
  FailureKind failure = FailureKind::none;
  std::uint32_t message_len = 0;
  char message[496] = {};
};

//! This thread's context, set around setup, each role and check, so sync
//! primitives reach the schedule without an argument. One per plugin.
inline thread_local Context* tls_context = nullptr;

struct ContextAccess;

}  // namespace detail

//! The harness's side of a trial, one per role thread plus one for setup and
//! check. Not thread-safe: each thread uses only its own.
class Context {
 public:
  //! An integer parameter; std::invalid_argument (the trial ends as `error`)
  //! if `name` is not one.
  std::int64_t int_param(std::string_view name) const;
  //! A number parameter; integer parameters are converted.
  double num_param(std::string_view name) const;
  //! A boolean parameter.
  bool bool_param(std::string_view name) const;
  //! A string parameter; the view lives as long as the case.
  std::string_view str_param(std::string_view name) const;

  //! This thread's random generator, seeded from the trial seed, role and
  //! instance: the same trial replays the same choices.
  Rng& rng() noexcept { return d_.rng; }

  //! A schedule point, where the strategy may yield, sleep or switch (under
  //! `none`, nothing). For code that shares data outside <strain/sync.hpp>.
  void point(const char* label = "") noexcept {
    if (d_.point_fn != nullptr) d_.point_fn(*this, label, nullptr, detail::Access::none);
  }

  //! Lets other threads run, for spin loops: std::this_thread::yield() under
  //! `none`; under `controlled` it demotes this thread so the spin ends.
  void yield(const char* label = "yield") noexcept {
    if (d_.point_fn != nullptr)
      d_.point_fn(*this, label, nullptr, detail::Access::yield);
    else
      std::this_thread::yield();
  }

  //! Sleeps `seconds` times the spec's time_scale. Under `controlled` time
  //! does not pass: the sleep is a schedule point (not a yield).
  void sleep(double seconds) noexcept {
    if (d_.hooks != nullptr) return point("sleep");
    const double scaled = seconds * d_.time_scale;
    if (scaled > 0) std::this_thread::sleep_for(std::chrono::duration<double>(scaled));
  }

  //! Records a metric for the invariants, from setup or check (from a role
  //! it fails the trial as `error`: roles keep counts in the state).
  template <class T>
  requires std::is_arithmetic_v<T>
  void metric(std::string_view name, T value) {
    if constexpr (std::is_integral_v<T>)
      set_metric(name, true, static_cast<std::int64_t>(value), static_cast<double>(value));
    else
      set_metric(name, false, 0, static_cast<double>(value));
  }

  //! Fails the trial as a `violation` with `what` unless `cond` holds;
  //! returns cond. A context keeps its first failure only.
  bool expect(bool cond, std::string_view what) noexcept {
    if (!cond) record(FailureKind::violation, what);
    return cond;
  }
  //! Fails the trial as a `violation` with `what`.
  void fail(std::string_view what) noexcept { record(FailureKind::violation, what); }
  //! True once this context recorded a failure.
  bool failed() const noexcept { return d_.failure != FailureKind::none; }

  //! Index of this thread's role in the scenario's declaration order.
  std::uint32_t role() const noexcept { return d_.role; }
  //! Which instance of its role this thread is (0-based).
  std::uint32_t instance() const noexcept { return d_.instance; }
  //! How many threads play this thread's role.
  std::uint32_t role_instances() const noexcept { return d_.role_instances; }
  //! How many threads play role number `role` in this case (0 if none).
  std::uint32_t instances_of(std::uint32_t role) const noexcept;
  //! Index of the trial within the case.
  std::uint64_t trial() const noexcept { return d_.trial; }
  //! The trial's seed.
  std::uint64_t seed() const noexcept { return d_.seed; }
  //! The spec's time_scale.
  double time_scale() const noexcept { return d_.time_scale; }

  //! True when the spec started a site fixture for this case.
  bool has_site() const noexcept { return d_.site != nullptr; }
  //! The case's loopback web site (`fixtures: { site: ... }` in the spec);
  //! std::logic_error (the trial ends as `error`) if it has none.
  Site site() const;

  //! Records a failure of `kind` unless one was recorded already.
  void record(FailureKind kind, std::string_view what) noexcept;

 private:
  friend struct detail::ContextAccess;
  const detail::ParamValue& find_param(std::string_view name, ParamType want) const;
  void set_metric(std::string_view name, bool is_int, std::int64_t i, double d);

  detail::ContextData d_;
};

namespace detail {

//! The one way into a Context's state, for the host, the runtime and the
//! inline schedule points of the primitives; not for scenarios.
struct ContextAccess {
  //! The whole state, for the host.
  static ContextData& data(Context& c) noexcept { return c.d_; }
  //! The strategy's hooks if it owns the schedule, else null.
  static const SchedHooks* hooks(const Context& c) noexcept { return c.d_.hooks; }
  //! A schedule point of kind `kind` on `object`, if the strategy takes points.
  static void point(Context& c, const char* label, const void* object, Access kind) noexcept {
    if (c.d_.point_fn != nullptr) c.d_.point_fn(c, label, object, kind);
  }
};

}  // namespace detail
}  // namespace strain
