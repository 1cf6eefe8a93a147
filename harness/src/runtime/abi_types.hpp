#pragma once
// The plain data that crosses the plugin boundary, host side: what a
// scenario's registration describes (params, roles, metrics), parameter
// values, metric slots and the site fixture's facts. Only C-layout structs,
// raw pointers and numbers, so the host reads them without sharing a library
// type with the plugin. Not installed: plugins reach these through the
// strain_runtime library (built from the same sources as the host), and
// strain::kAbiVersion covers their layout as it covers the public headers'.

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "strain/context.hpp"

namespace strain {

//! The type of a scenario parameter.
enum class ParamType : std::uint32_t { integer, number, boolean, string };

}  // namespace strain

namespace strain::detail {

//! How a blocking wait handed to the scheduler ended.
enum class WaitResult : std::uint32_t { woken, timed_out, aborted };

//! What a strategy that owns the schedule provides. Null in ContextData
//! under every other strategy, so the primitives then block in the kernel as
//! usual. Only one role thread runs at a time under such a strategy, so a
//! primitive must never block in the kernel: it tries, and if it cannot
//! proceed it blocks here, on the object it waits for.
struct SchedHooks {
  //! Parks the calling thread until another role calls wake(object) (or, for
  //! a `timed` wait, until every thread is blocked). Other threads run
  //! meanwhile. `label` names the operation for deadlock reports.
  WaitResult (*block)(Context& ctx, const void* object, const char* label, bool timed) noexcept;
  //! Makes the threads blocked on `object` runnable: the longest-waiting one,
  //! or all of them.
  void (*wake)(Context& ctx, const void* object, bool all) noexcept;
  //! The weak memory model (null when it is off): the value an atomic load
  //! returns, given the newest value; `order` is a std::memory_order.
  std::uint64_t (*load)(Context& ctx, const void* object, std::uint64_t newest, int order) noexcept;
  //! Records a store (`update`: a read-modify-write) that replaced `before`.
  void (*store)(Context& ctx, const void* object, std::uint64_t before, std::uint64_t after,
                int order, bool update) noexcept;
};

//! Or-ed into the order passed to SchedHooks::load when the load must see
//! the newest value (a failed compare-exchange reads it, as any
//! read-modify-write does).
inline constexpr int kLoadNewest = 0x100;

//! A metric value as recorded by Context::metric().
struct MetricSlot {
  bool set = false;
  bool is_int = false;
  std::int64_t i = 0;
  double d = 0.0;
};

//! The host-owned facts of a running site. Plain data and function pointers
//! into the host. Every string stays valid for as long as the case runs.
struct SiteData {
  const char* base_url = nullptr;  // "http://127.0.0.1:<port>", no trailing slash
  std::uint32_t base_url_len = 0;
  std::uint32_t pages = 0;      // pages of the generated site
  std::uint32_t reachable = 0;  // pages reachable from the start page over on-site links
  std::uint16_t port = 0;
  const void* host = nullptr;  // the host's server object, passed back to the functions below
  //! The full URL of page `k` (0 is the start page); null when out of range.
  const char* (*page_url)(const void* host, std::uint32_t k, std::size_t* len) noexcept = nullptr;
  //! The body size the server sends with a 200 for `target` (a URL of this
  //! site or a path); -1 when the site has no such page.
  std::int64_t (*body_bytes)(const void* host, const char* target,
                             std::size_t len) noexcept = nullptr;
};

//! One parameter value; `type` says which member is meaningful.
struct ParamValue {
  ParamType type = ParamType::integer;
  std::int64_t i = 0;
  double d = 0.0;
  bool b = false;
  const char* s = "";
  std::size_t s_len = 0;
};

//! A declared parameter: name, type, default, allowed values, one line of doc.
struct ParamDecl {
  const char* name;
  const char* doc;
  ParamValue default_value;
  const ParamValue* allowed;  // empty: any value of the type is allowed
  std::uint32_t n_allowed;
};

//! A declared role: a function run concurrently by one or more threads.
struct RoleDecl {
  const char* name;
  const char* doc;
  //! The fewest threads the role needs to show anything (a producer and a
  //! consumer need one each; a lost update needs two workers): a spec that
  //! gives fewer is an error, and one that gives none gets this many.
  std::uint32_t min_instances;
};

//! A declared metric: a named number a scenario reports after each trial.
struct MetricDecl {
  const char* name;
  const char* doc;
};

//! Everything the host knows of a scenario. The first two fields never move,
//! so a host can check the version of a descriptor of any ABI.
struct ScenarioDescriptor {
  std::uint32_t abi_version;
  std::uint32_t struct_size;
  const char* name;
  const char* doc;
  const ParamDecl* params;
  std::uint32_t n_params;
  const RoleDecl* roles;
  std::uint32_t n_roles;
  const MetricDecl* metrics;
  std::uint32_t n_metrics;
  std::size_t state_size;
  std::size_t state_align;
  //! Constructs a fresh state at `where` and runs its setup. On failure the
  //! reason is recorded in `ctx` and nothing is left to destroy.
  bool (*construct)(void* where, Context& ctx) noexcept;
  //! Destroys a state made by construct.
  void (*destroy)(void* where) noexcept;
  //! Runs role number `role` on `state`; failures are recorded in `ctx`.
  bool (*run_role)(void* state, std::uint32_t role, Context& ctx) noexcept;
  //! Runs the scenario's check after all roles ended.
  bool (*check)(void* state, Context& ctx) noexcept;
};

//! The signature of the function each registered scenario exports.
using DescribeFn = const ScenarioDescriptor*() noexcept;

}  // namespace strain::detail

namespace strain::detail {

//! The trial a context's code runs in: what ctx.trial() and ctx.seed() say.
struct TrialStamp {
  std::uint64_t trial = 0, seed = 0;
};

//! The host-owned state behind a Context (its opaque bytes), plain data
//! covered by the ABI version; only the host and the runtime reach it.
struct ContextData {
  const ScenarioDescriptor* desc = nullptr;
  const ParamValue* params = nullptr;          // parallel to the descriptor's params
  MetricSlot* metrics = nullptr;               // parallel to its metrics; null in roles
  const SchedHooks* hooks = nullptr;           // set by `controlled` only
  void* sched = nullptr;                       // the strategy's per-thread state
  const std::uint32_t* role_counts = nullptr;  // parallel to the descriptor's roles
  const SiteData* site = nullptr;              // the case's site fixture; null: none
  // What the host resets every trial, on one line (from the Context's
  // 64-byte boundary, after its point function and the pointers above): the
  // check's context is reset on whichever core finished the trial last, and
  // each line written moves between cores every trial (see
  // exec/case_state.hpp). The generator is seeded on its first use in the
  // trial (Context::rng()): most trials draw nothing, and seeding every
  // context each trial was ~5% of a trivial trial's samples.
  //! A role's context reads its trial through `stamp`, the line the host
  //! writes once per trial for every role (exec/trial_stamp.hpp), only when
  //! the code asks (trial(), seed(), the first rng()): a role that copied it
  //! as it started read that line, written on another core, every trial
  //! (speed_bench threads_none/2: ~8% of the samples, on that one load).
  //! Null: the context's own (the check's, which the host writes itself).
  const TrialStamp* stamp = nullptr;
  TrialStamp own;
  std::uint64_t salt = 0;  // this context's part of its generator's seed
  FailureKind failure = FailureKind::none;
  std::uint32_t message_len = 0;
  std::uint32_t rng_stale = 0;  // 1: `rng` is not yet seeded for this trial
  //! Where the runtime that ran this context last noted it as the thread's
  //! context (its plugin's tls_context, on that thread): the host swaps
  //! that word when roles run as fibers on one thread (sched/role_fibers).
  Context** tls_home = nullptr;
  char message[464] = {};
  Rng rng;
  double time_scale = 1.0;
  std::uint32_t role = 0, instance = 0, role_instances = 1;
};

//! The one way into a Context's state, for the host and the runtime.
struct ContextAccess {
  static_assert(std::is_trivially_copyable_v<ContextData> &&
                    std::is_trivially_destructible_v<ContextData>,
                "a Context is copied and dropped as its bytes");
  static_assert(sizeof(ContextData) == sizeof(Context::data_) &&
                    alignof(ContextData) <= alignof(Context),
                "Context::data_ must be exactly a ContextData (then bump the ABI version)");
  //! The state behind `c`.
  static ContextData& data(Context& c) noexcept {
    return *std::launder(reinterpret_cast<ContextData*>(c.data_));
  }
  //! The strategy's point function of `c` (null: it takes none).
  static PointFn& point_fn(Context& c) noexcept { return c.point_fn_; }
};

//! The host's way into a Context's state (the members are private to it).
inline ContextData& context_data(Context& c) noexcept { return ContextAccess::data(c); }
//! Read-only.
inline const ContextData& context_data(const Context& c) noexcept {
  return ContextAccess::data(const_cast<Context&>(c));
}
//! The trial `d`'s code runs in.
inline const TrialStamp& trial_of(const ContextData& d) noexcept {
  return d.stamp != nullptr ? *d.stamp : d.own;
}
//! The strategy's point function of `c`.
inline PointFn& point_fn(Context& c) noexcept { return ContextAccess::point_fn(c); }

//! This thread's context, set around setup, each role and check, so the
//! primitives reach the schedule without an argument. One per plugin (the
//! runtime is linked into each, hidden).
extern thread_local Context* tls_context;

}  // namespace strain::detail
