#pragma once
// Declaring a scenario: its doc, params, roles and metrics, and the glue that turns a scenario
// class into a descriptor for the host without letting an exception cross the plugin boundary.
//
// A scenario is a default-constructible class T with
//   static void declare(strain::Declare<T>& d);  // params, roles, metrics
//   void setup(strain::Context& ctx);            // optional: fresh state per trial
//   void <role>(strain::Context& ctx);           // one member per role
//   void check(strain::Context& ctx);            // optional: metrics, expect()
// registered with STRAIN_SCENARIO(T, name) from <strain/plugin.hpp>.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <vector>

#include "strain/context.hpp"

namespace strain {

//! Version of the plugin ABI, stamped into every scenario's descriptor: the host refuses a
//! scenario that carries another number. Bump it whenever a type of the public headers or of the
//! plain data behind them (harness/src/runtime/abi_types.hpp) changes layout or meaning.
#ifndef STRAIN_ABI_VERSION
#define STRAIN_ABI_VERSION 8u
#endif
inline constexpr std::uint32_t kAbiVersion = STRAIN_ABI_VERSION;

namespace detail {

struct ScenarioDescriptor;  // what the host reads of a scenario (harness/src/runtime)

//! Runs `fn(obj, ctx)` with `ctx` as this thread's context (for a `role`, with points on if the
//! strategy takes them), recording what it throws as an `error`: no exception crosses the plugin
//! boundary. False if it threw.
bool guarded(Context& ctx, bool role, void (*fn)(void* obj, Context& ctx), void* obj) noexcept;

//! The part of Declare<T> that does not depend on T (in strain_runtime).
class DeclareBase {
 protected:
  DeclareBase();
  ~DeclareBase();

  void add_doc(const char* text);
  void add_param(const char* name, std::int64_t def, const char* doc,
                 std::initializer_list<std::int64_t> allowed);
  void add_param(const char* name, double def, const char* doc);
  void add_param(const char* name, bool def, const char* doc);
  void add_param(const char* name, const char* def, const char* doc,
                 std::initializer_list<const char*> allowed);
  void add_role(const char* name, const char* doc, std::uint32_t min_instances);
  void add_metric(const char* name, const char* doc);
  // The descriptor, with the glue's entry points as it holds them.
  const ScenarioDescriptor* build(const char* name, std::uint32_t abi_version, std::size_t size,
                                  std::size_t align, bool (*construct)(void*, Context&) noexcept,
                                  void (*destroy)(void*) noexcept,
                                  bool (*run_role)(void*, std::uint32_t, Context&) noexcept,
                                  bool (*check)(void*, Context&) noexcept);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace detail

//! The builder a scenario's static declare() fills in. Strings are copied, so temporaries are fine.
template <class T>
class Declare : private detail::DeclareBase {
 public:
  //! A member function of T that plays a role.
  using RoleFn = void (T::*)(Context&);

  //! One line on what the scenario shows.
  Declare& doc(const char* text) { return add_doc(text), *this; }
  //! An integer parameter, optionally restricted to `allowed`.
  template <std::integral I>
  requires(!std::same_as<I, bool>) Declare& param(
      const char* name, I def, const char* doc, std::initializer_list<std::int64_t> allowed = {}) {
    return add_param(name, static_cast<std::int64_t>(def), doc, allowed), *this;
  }
  //! A number parameter.
  Declare& param(const char* name, double def, const char* doc) {
    return add_param(name, def, doc), *this;
  }
  //! A boolean parameter.
  Declare& param(const char* name, bool def, const char* doc) {
    return add_param(name, def, doc), *this;
  }
  //! A string parameter, optionally restricted to `allowed` (e.g. variants).
  Declare& param(const char* name, const char* def, const char* doc,
                 std::initializer_list<const char*> allowed = {}) {
    return add_param(name, def, doc, allowed), *this;
  }
  //! A role: `fn` runs on as many threads as the spec gives the role, at least `min_instances` (the
  //! spec's default for it; fewer is a spec error that `strain validate` reports).
  Declare& role(const char* name, RoleFn fn, const char* doc = "",
                std::uint32_t min_instances = 1) {
    add_role(name, doc, min_instances);
    fns_.push_back(fn);
    return *this;
  }
  //! A metric the scenario records in setup or check.
  Declare& metric(const char* name, const char* doc = "") { return add_metric(name, doc), *this; }

  //! Builds T's descriptor once, for STRAIN_SCENARIO; null instead of throwing.
  static const detail::ScenarioDescriptor* describe(const char* name) noexcept {
    try {
      static const detail::ScenarioDescriptor* desc = [name] {
        T::declare(instance());
        return instance().build(name, kAbiVersion, sizeof(T), alignof(T), &construct, &destroy,
                                &run_role, &check);
      }();
      return desc;
    } catch (...) {
      return nullptr;
    }
  }

 private:
  static Declare& instance() {  // one per scenario type
    static Declare d;
    return d;
  }
  static bool construct(void* where, Context& ctx) noexcept {
    const auto make = [](void* at, Context& c) {
      T* t = ::new (at) T();
      if constexpr (requires { t->setup(c); }) {
        try {
          t->setup(c);
        } catch (...) {
          t->~T();
          throw;
        }
      }
    };
    return detail::guarded(ctx, false, make, where);
  }
  static void destroy(void* where) noexcept { static_cast<T*>(where)->~T(); }
  static bool run_role(void* state, std::uint32_t role, Context& ctx) noexcept {
    struct Call {
      T* state;
      std::uint32_t role;
    } call{static_cast<T*>(state), role};
    const auto run = [](void* p, Context& c) {
      const Call& k = *static_cast<Call*>(p);
      (k.state->*instance().fns_[k.role])(c);
    };
    return detail::guarded(ctx, true, run, &call) && !ctx.failed();
  }
  static bool check(void* state, Context& ctx) noexcept {
    const auto run = [](void* t, Context& c) {
      if constexpr (requires { static_cast<T*>(t)->check(c); }) static_cast<T*>(t)->check(c);
    };
    return detail::guarded(ctx, false, run, state) && !ctx.failed();
  }

  std::vector<RoleFn> fns_;
};

}  // namespace strain
