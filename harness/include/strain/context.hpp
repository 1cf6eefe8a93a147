#pragma once
// What the harness hands a scenario: params, a seeded RNG, schedule points, scaled sleep, metrics,
// expectations and the site fixture.

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#include "strain/rng.hpp"

namespace strain {

class Context;

//! How a trial failed, as recorded by a context.
enum class FailureKind : std::uint32_t { none, violation, error };

//! Thrown by a blocking primitive when the controlled scheduler ended the trial as a `deadlock`
//! (every role thread blocked): let it propagate.
struct ScheduleAborted : std::runtime_error {
  ScheduleAborted()
      : std::runtime_error(
            "the controlled scheduler ended this trial: every role thread was blocked") {}
};

namespace detail {
//! What the operation at a schedule point does to its object: for strategies that reason about
//! conflicts (pos, dfs) and the weak memory model.
enum class Access : std::uint32_t {
  none,    // a plain point: Context::point()
  read,    // an atomic load
  write,   // an atomic store
  update,  // an atomic read-modify-write
  sync,    // a lock, unlock, notify, queue, semaphore or barrier operation
  yield,   // the thread offers to let others run (spin loops, sleep)
  wait,    // a condition wait or a wake from one: (re)takes an unnamed mutex
};

//! True once a role of this process ran under a strategy with points; tested first, so under `none`
//! an atomic costs one load of a line never written.
inline std::atomic<bool> points_enabled{false};

//! What a strategy calls at a schedule point (null: it takes none).
using PointFn = void (*)(Context&, const char* label, const void* object, Access kind) noexcept;
struct ContextAccess;  // the host's and the runtime's way into a Context (harness/src/runtime)
struct SiteData;       // the host's facts of the running site
}  // namespace detail

//! The loopback web site a spec can ask for (`fixtures: { site: ... }`): a real HTTP/1.1 server on
//! 127.0.0.1 for the case, from Context::site(). A view, cheap to copy; valid while the case runs.
class Site {
 public:
  //! A view of the host's site; made by Context::site().
  explicit Site(const detail::SiteData* d) noexcept : d_(d) {}

  //! "http://127.0.0.1:<port>", without a trailing slash.
  std::string_view base_url() const noexcept;
  //! The start page: base_url() + "/".
  std::string_view start_url() const noexcept { return page_url(0); }
  //! The server's TCP port on 127.0.0.1.
  std::uint16_t port() const noexcept;
  //! How many pages the generated site has.
  std::uint32_t pages() const noexcept;
  //! How many pages on-site links reach from the start page (from the generated link graph, not
  //! from a crawl).
  std::uint32_t reachable() const noexcept;
  //! The full URL of page `k`; throws std::out_of_range when k >= pages().
  std::string_view page_url(std::uint32_t k) const;
  //! The body size the server sends for `url` (a URL of this site or a path such as
  //! "/page/3.html"); -1 when it has no such page (a 404).
  std::int64_t body_bytes(std::string_view url) const noexcept;

 private:
  const detail::SiteData* d_;
};

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
    constexpr bool kInt = std::is_integral_v<T>;
    set_metric(name, kInt, kInt ? static_cast<std::int64_t>(value) : 0, static_cast<double>(value));
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
  void set_metric(std::string_view name, bool is_int, std::int64_t i, double d);

  // point() calls the strategy inline; the rest of the state is the host's
  // (detail::ContextData, covered by the ABI version), opaque here.
  detail::PointFn point_fn_ = nullptr;
  alignas(8) unsigned char data_[632];
};

//! Fails the trial as a `violation` with `what` unless `cond` holds, from any thread of the trial,
//! including threads the code under test started (a thread the harness cannot attribute ends the
//! run of the worker with the message: the trial then counts as a crash). Returns cond.
bool expect(bool cond, std::string_view what) noexcept;

}  // namespace strain
