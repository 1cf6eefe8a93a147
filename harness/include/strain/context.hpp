#pragma once
// What the harness hands a scenario: params, a seeded RNG, schedule points, scaled sleep, metrics
// and expectations.

#include <cstdint>
#include <string_view>
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
struct ContextData;    // the host's state of a context (harness/src/runtime)
struct ContextAccess;  // the host's and the runtime's way into it
struct ParamValue;
//! What a strategy calls at a schedule point (null: it takes none).
using PointFn = void (*)(Context&, const char* label, const void* object, Access kind) noexcept;
}  // namespace detail

//! The harness's side of a trial, one per role thread plus one for setup and check. Not
//! thread-safe: each thread uses only its own.
class Context {
 public:
  //! A context for the host to fill in (plugins are handed theirs).
  Context() noexcept;

  //! An integer parameter; std::invalid_argument (the trial ends as `error`) if `name` is not one.
  std::int64_t int_param(std::string_view name) const;
  //! A number parameter; integer parameters are converted.
  double num_param(std::string_view name) const;
  //! A boolean parameter.
  bool bool_param(std::string_view name) const;
  //! A string parameter; the view lives as long as the case.
  std::string_view str_param(std::string_view name) const;

  //! This thread's random generator, seeded from the trial seed, role and instance: the same trial
  //! replays the same choices.
  Rng& rng() noexcept;

  //! A schedule point, where the strategy may yield, sleep or switch (under `none`, nothing). For
  //! code that shares data outside <strain/sync.hpp>.
  void point(const char* label = "") noexcept {
    if (point_fn_ != nullptr) point_fn_(*this, label, nullptr, detail::Access::none);
  }

  //! Lets other threads run, for spin loops: std::this_thread::yield() under `none`; under
  //! `controlled` it demotes this thread so the spin ends.
  void yield(const char* label = "yield") noexcept;

  //! Sleeps `seconds` times the spec's time_scale. Under `controlled` time does not pass: the sleep
  //! is a schedule point (not a yield).
  void sleep(double seconds) noexcept;

  //! Records a metric for the invariants, from setup or check (from a role it fails the trial as
  //! `error`: roles keep counts in the state).
  template <class T>
  requires std::is_arithmetic_v<T>
  void metric(std::string_view name, T value) {
    if constexpr (std::is_integral_v<T>)
      set_metric(name, true, static_cast<std::int64_t>(value), static_cast<double>(value));
    else
      set_metric(name, false, 0, static_cast<double>(value));
  }

  //! Fails the trial as a `violation` with `what` unless `cond` holds; returns cond. A context
  //! keeps its first failure only.
  bool expect(bool cond, std::string_view what) noexcept {
    if (!cond) record(FailureKind::violation, what);
    return cond;
  }
  //! Fails the trial as a `violation` with `what`.
  void fail(std::string_view what) noexcept { record(FailureKind::violation, what); }
  //! True once this context recorded a failure.
  bool failed() const noexcept;

  //! Index of this thread's role in the scenario's declaration order.
  std::uint32_t role() const noexcept;
  //! Which instance of its role this thread is (0-based).
  std::uint32_t instance() const noexcept;
  //! How many threads play this thread's role.
  std::uint32_t role_instances() const noexcept;
  //! How many threads play role number `role` in this case (0 if none).
  std::uint32_t instances_of(std::uint32_t role) const noexcept;
  //! Index of the trial within the case.
  std::uint64_t trial() const noexcept;
  //! The trial's seed.
  std::uint64_t seed() const noexcept;
  //! The spec's time_scale.
  double time_scale() const noexcept;

  //! True when the spec started a site fixture for this case.
  bool has_site() const noexcept;
  //! The case's loopback web site (`fixtures: { site: ... }` in the spec); std::logic_error (the
  //! trial ends as `error`) if it has none.
  Site site() const;

  //! Records a failure of `kind` unless one was recorded already.
  void record(FailureKind kind, std::string_view what) noexcept;

 private:
  friend struct detail::ContextAccess;
  const detail::ParamValue& find_param(std::string_view name, ParamType want) const;
  void set_metric(std::string_view name, bool is_int, std::int64_t i, double d);

  // point() and yield() call the strategy inline; the rest of the state is the host's
  // (detail::ContextData, covered by the ABI version), opaque here.
  detail::PointFn point_fn_ = nullptr;
  alignas(8) unsigned char data_[632];
};

}  // namespace strain
