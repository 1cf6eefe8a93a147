#pragma once
// Declaring a scenario: its doc, params, roles and metrics, and the glue that
// turns a scenario class into a ScenarioDescriptor without letting an
// exception cross the plugin boundary.
//
// A scenario is a default-constructible class T with
//   static void declare(strain::Declare<T>& d);  // params, roles, metrics
//   void setup(strain::Context& ctx);            // optional: fresh state per trial
//   void <role>(strain::Context& ctx);           // one member per role
//   void check(strain::Context& ctx);            // optional: metrics, expect()
// registered with STRAIN_SCENARIO(T, name) from <strain/plugin.hpp>.

#include <cstdint>
#include <deque>
#include <exception>
#include <initializer_list>
#include <new>
#include <string>
#include <vector>

#include "strain/abi.hpp"
#include "strain/context.hpp"
#include "strain/descriptor.hpp"

namespace strain {

template <class T>
class Declare;

namespace detail {

//! Records the exception in flight as an `error` of the context.
inline void record_current_exception(Context& ctx) noexcept {
  try {
    throw;
  } catch (const std::exception& e) {
    ctx.record(FailureKind::error, e.what());
  } catch (...) {
    ctx.record(FailureKind::error, "unknown exception");
  }
}

template <class T>
concept HasSetup = requires(T& t, Context& c) {
  t.setup(c);
};
template <class T>
concept HasCheck = requires(T& t, Context& c) {
  t.check(c);
};

}  // namespace detail

//! The builder a scenario's static declare() fills in. Strings are copied, so
//! temporaries are fine.
template <class T>
class Declare {
 public:
  using RoleFn = void (T::*)(Context&);

  //! One line on what the scenario shows.
  Declare& doc(const char* text) {
    doc_ = keep(text);
    return *this;
  }

  //! An integer parameter, optionally restricted to `allowed`.
  Declare& param(const char* name, std::int64_t def, const char* doc,
                 std::initializer_list<std::int64_t> allowed = {}) {
    detail::ParamValue v{ParamType::integer, def};
    std::vector<detail::ParamValue> a;
    for (auto x : allowed) a.push_back({ParamType::integer, x});
    return add_param(name, doc, v, std::move(a));
  }
  Declare& param(const char* name, int def, const char* doc,
                 std::initializer_list<std::int64_t> allowed = {}) {
    return param(name, static_cast<std::int64_t>(def), doc, allowed);
  }
  //! A number parameter.
  Declare& param(const char* name, double def, const char* doc) {
    detail::ParamValue v{ParamType::number};
    v.d = def;
    return add_param(name, doc, v, {});
  }
  //! A boolean parameter.
  Declare& param(const char* name, bool def, const char* doc) {
    detail::ParamValue v{ParamType::boolean};
    v.b = def;
    return add_param(name, doc, v, {});
  }
  //! A string parameter, optionally restricted to `allowed` (e.g. variants).
  Declare& param(const char* name, const char* def, const char* doc,
                 std::initializer_list<const char*> allowed = {}) {
    std::vector<detail::ParamValue> a;
    for (auto x : allowed) a.push_back(str(x));
    return add_param(name, doc, str(def), std::move(a));
  }

  //! A role: `fn` runs on as many threads as the spec gives the role, at
  //! least `min_instances` (the spec's default for it; fewer is a spec
  //! error that `strain validate` reports).
  Declare& role(const char* name, RoleFn fn, const char* doc = "",
                std::uint32_t min_instances = 1) {
    roles_.push_back({keep(name), keep(doc), min_instances < 1 ? 1u : min_instances});
    fns_.push_back(fn);
    return *this;
  }

  //! A metric the scenario records in setup or check.
  Declare& metric(const char* name, const char* doc = "") {
    metrics_.push_back({keep(name), keep(doc)});
    return *this;
  }

  //! Builds the descriptor; called once per scenario by the registration.
  const detail::ScenarioDescriptor* finish(const char* name) {
    desc_.abi_version = kAbiVersion;
    desc_.struct_size = sizeof(detail::ScenarioDescriptor);
    desc_.name = keep(name);
    desc_.doc = doc_;
    for (std::size_t k = 0; k < params_.size(); ++k) {
      params_[k].allowed = allowed_[k].data();
      params_[k].n_allowed = static_cast<std::uint32_t>(allowed_[k].size());
    }
    desc_.params = params_.data();
    desc_.n_params = static_cast<std::uint32_t>(params_.size());
    desc_.roles = roles_.data();
    desc_.n_roles = static_cast<std::uint32_t>(roles_.size());
    desc_.metrics = metrics_.data();
    desc_.n_metrics = static_cast<std::uint32_t>(metrics_.size());
    desc_.state_size = sizeof(T);
    desc_.state_align = alignof(T);
    desc_.construct = &construct;
    desc_.destroy = &destroy;
    desc_.run_role = &run_role;
    desc_.check = &check;
    return &desc_;
  }

  //! The one instance per scenario type, built on first use.
  static Declare& instance() {
    static Declare d;
    return d;
  }

 private:
  static bool construct(void* where, Context& ctx) noexcept {
    detail::tls_context = &ctx;
    T* state = nullptr;
    try {
      state = new (where) T();
    } catch (...) {
      detail::record_current_exception(ctx);
      return false;
    }
    if constexpr (detail::HasSetup<T>) {
      try {
        state->setup(ctx);
      } catch (...) {
        detail::record_current_exception(ctx);
        state->~T();
        return false;
      }
    }
    return true;
  }
  static void destroy(void* where) noexcept { static_cast<T*>(where)->~T(); }
  static bool run_role(void* state, std::uint32_t role, Context& ctx) noexcept {
    detail::tls_context = &ctx;
    // Switched on once and left on: a relaxed load of a line nobody writes
    // is all `none` then costs an atomic (see detail::sync_point).
    if (ctx.d_.point_fn != nullptr && !detail::points_enabled.load(std::memory_order_relaxed))
      detail::points_enabled.store(true, std::memory_order_relaxed);
    try {
      (static_cast<T*>(state)->*instance().fns_[role])(ctx);
    } catch (...) {
      detail::record_current_exception(ctx);
    }
    return !ctx.failed();
  }
  static bool check(void* state, Context& ctx) noexcept {
    detail::tls_context = &ctx;
    if constexpr (detail::HasCheck<T>) {
      try {
        static_cast<T*>(state)->check(ctx);
      } catch (...) {
        detail::record_current_exception(ctx);
      }
    }
    return !ctx.failed();
  }

  const char* keep(const char* s) { return strings_.emplace_back(s ? s : "").c_str(); }
  detail::ParamValue str(const char* s) {
    detail::ParamValue v{ParamType::string};
    v.s = keep(s);
    v.s_len = strings_.back().size();
    return v;
  }
  Declare& add_param(const char* name, const char* doc, detail::ParamValue def,
                     std::vector<detail::ParamValue> allowed) {
    params_.push_back({keep(name), keep(doc), def, nullptr, 0});
    allowed_.push_back(std::move(allowed));
    return *this;
  }

  std::deque<std::string> strings_;  // deque: pointers stay valid as it grows
  const char* doc_ = "";
  std::vector<detail::ParamDecl> params_;
  std::deque<std::vector<detail::ParamValue>> allowed_;
  std::vector<detail::RoleDecl> roles_;
  std::vector<RoleFn> fns_;
  std::vector<detail::MetricDecl> metrics_;
  detail::ScenarioDescriptor desc_{};
};

namespace detail {

//! Builds T's descriptor once; returns null instead of throwing.
template <class T>
const ScenarioDescriptor* describe(const char* name) noexcept {
  try {
    static const ScenarioDescriptor* desc = [name] {
      Declare<T>& d = Declare<T>::instance();
      T::declare(d);
      return d.finish(name);
    }();
    return desc;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace detail
}  // namespace strain
