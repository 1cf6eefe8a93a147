// The out-of-line parts of strain/context.hpp (Context, Site, expect) and the
// registration glue of strain/scenario.hpp: a Context's state (opaque in the
// header, runtime/abi_types.hpp's ContextData), parameter and metric lookup
// by name, failure recording, the site view, this thread's context. point()
// stays inline (a branch under `none`); the accessors here cost a call, a
// few ns beside the work a role does with what they return.

#include "strain/context.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/abi_types.hpp"
#include "strain/scenario.hpp"

namespace strain {

namespace detail {
thread_local Context* tls_context = nullptr;
}  // namespace detail

using detail::context_data;

Context::Context() noexcept { ::new (static_cast<void*>(data_)) detail::ContextData(); }

Rng& Context::rng() noexcept {
  detail::ContextData& d = context_data(*this);
  if (d.rng_stale != 0) {  // the first draw of the trial (ContextData)
    d.rng.reseed(Rng::mix(detail::trial_of(d).seed, d.salt));  // model::context_seed
    d.rng_stale = 0;
  }
  return d.rng;
}
bool Context::failed() const noexcept { return context_data(*this).failure != FailureKind::none; }
std::uint32_t Context::role() const noexcept { return context_data(*this).role; }
std::uint32_t Context::instance() const noexcept { return context_data(*this).instance; }
std::uint32_t Context::role_instances() const noexcept {
  return context_data(*this).role_instances;
}
std::uint64_t Context::trial() const noexcept {
  return detail::trial_of(context_data(*this)).trial;
}
std::uint64_t Context::seed() const noexcept { return detail::trial_of(context_data(*this)).seed; }
double Context::time_scale() const noexcept { return context_data(*this).time_scale; }
bool Context::has_site() const noexcept { return context_data(*this).site != nullptr; }

void Context::yield(const char* label) noexcept {
  if (point_fn_ != nullptr)
    point_fn_(*this, label, nullptr, detail::Access::yield);
  else
    std::this_thread::yield();
}

void Context::sleep(double seconds) noexcept {
  const detail::ContextData& d = context_data(*this);
  if (d.hooks != nullptr) return point("sleep");
  const double scaled = seconds * d.time_scale;
  if (scaled > 0) std::this_thread::sleep_for(std::chrono::duration<double>(scaled));
}

namespace {

// Whether the name a plugin asks for is `declared`, without measuring every
// declared name first: a string_view against a C string would strlen each one.
// A check and a set-up look up their params and metrics by name every trial
// (speed_bench threads_none/2: strlen and memcmp were 7% of the samples).
// Reads no further than `declared`'s end, whatever `want` holds (a NUL too).
bool named(std::string_view want, const char* declared) noexcept {
  for (const char c : want) {
    if (*declared == '\0' || *declared != c) return false;
    ++declared;
  }
  return *declared == '\0';
}

// The parameter `name` of `c`, which must be of type `want` (an integer will do for a number).
const detail::ParamValue& find_param(const Context& c, std::string_view name, ParamType want) {
  const detail::ContextData& d = context_data(c);
  for (std::uint32_t k = 0; k < d.desc->n_params; ++k) {
    if (!named(name, d.desc->params[k].name)) continue;
    const detail::ParamValue& v = d.params[k];
    const bool ok = v.type == want || (want == ParamType::number && v.type == ParamType::integer);
    if (!ok)
      throw std::invalid_argument("param '" + std::string(name) + "' read with the wrong type");
    return v;
  }
  throw std::invalid_argument("no param named '" + std::string(name) + "'");
}

}  // namespace

std::int64_t Context::int_param(std::string_view name) const {
  return find_param(*this, name, ParamType::integer).i;
}

double Context::num_param(std::string_view name) const {
  const auto& v = find_param(*this, name, ParamType::number);
  return v.type == ParamType::integer ? static_cast<double>(v.i) : v.d;
}

bool Context::bool_param(std::string_view name) const {
  return find_param(*this, name, ParamType::boolean).b;
}

std::string_view Context::str_param(std::string_view name) const {
  const auto& v = find_param(*this, name, ParamType::string);
  return {v.s, v.s_len};
}

void Context::set_metric(std::string_view name, bool is_int, std::int64_t i, double d) {
  detail::ContextData& st = context_data(*this);
  if (st.metrics == nullptr)
    throw std::logic_error("metric('" + std::string(name) +
                           "') called from a role; call it in setup or check");
  for (std::uint32_t k = 0; k < st.desc->n_metrics; ++k) {
    if (!named(name, st.desc->metrics[k].name)) continue;
    detail::MetricSlot& slot = st.metrics[k];
    slot.set = true;
    slot.is_int = is_int;
    slot.i = i;
    slot.d = d;
    return;
  }
  throw std::invalid_argument("no metric named '" + std::string(name) + "' was declared");
}

std::uint32_t Context::instances_of(std::uint32_t role) const noexcept {
  const detail::ContextData& d = context_data(*this);
  return role < d.desc->n_roles ? d.role_counts[role] : 0;
}

Site Context::site() const {
  const detail::ContextData& d = context_data(*this);
  if (d.site == nullptr)
    throw std::logic_error(
        "this scenario needs the site fixture: add 'fixtures: { site: {} }' to its spec");
  return Site(d.site);
}

void Context::record(FailureKind kind, std::string_view what) noexcept {
  detail::ContextData& d = context_data(*this);
  if (d.failure != FailureKind::none) return;
  d.failure = kind;
  const std::size_t n = std::min(what.size(), sizeof(d.message) - 1);
  std::memcpy(d.message, what.data(), n);
  d.message[n] = '\0';
  d.message_len = static_cast<std::uint32_t>(n);
}

std::string_view Site::base_url() const noexcept { return {d_->base_url, d_->base_url_len}; }
std::uint16_t Site::port() const noexcept { return d_->port; }
std::uint32_t Site::pages() const noexcept { return d_->pages; }
std::uint32_t Site::reachable() const noexcept { return d_->reachable; }

std::string_view Site::page_url(std::uint32_t k) const {
  std::size_t len = 0;
  const char* s = d_->page_url(d_->host, k, &len);
  if (s == nullptr) throw std::out_of_range("the site has no page with that index");
  return {s, len};
}

std::int64_t Site::body_bytes(std::string_view url) const noexcept {
  return d_->body_bytes(d_->host, url.data(), url.size());
}

namespace detail {

bool guarded(Context& ctx, bool role, void (*fn)(void* obj, Context& ctx), void* obj) noexcept {
  tls_context = &ctx;
  ContextAccess::data(ctx).tls_home = &tls_context;
  // Switched on once and left on: a relaxed load of a line nobody writes
  // is all `none` then costs an atomic (see detail::sync_point).
  if (role && ContextAccess::point_fn(ctx) != nullptr &&
      !points_enabled.load(std::memory_order_relaxed))
    points_enabled.store(true, std::memory_order_relaxed);
  try {
    fn(obj, ctx);
    return true;
  } catch (const std::exception& e) {
    ctx.record(FailureKind::error, e.what());
  } catch (...) {
    ctx.record(FailureKind::error, "unknown exception");
  }
  return false;
}

}  // namespace detail
}  // namespace strain

// Defined by the strain host: records a failure of the code under test in
// the role that started the calling thread, when the calling thread belongs
// to a steered trial; returns false otherwise. Weak, so a plugin also links
// without the host (its unit tests).
extern "C" bool strain_record_failure(int kind, const char* what, std::size_t len) noexcept
    __attribute__((weak, visibility("default")));

bool strain::expect(bool cond, std::string_view what) noexcept {
  if (cond) return true;
  if (Context* c = detail::tls_context) {
    c->fail(what);
    return false;
  }
  if (strain_record_failure != nullptr &&
      strain_record_failure(static_cast<int>(FailureKind::violation), what.data(), what.size()))
    return false;
  std::fprintf(stderr, "strain::expect failed on a thread outside the trial: %.*s\n",
               static_cast<int>(what.size()), what.data());
  std::abort();
}
