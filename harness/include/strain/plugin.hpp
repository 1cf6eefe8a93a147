#pragma once
// Registration of a scenario in a plugin library: a scenario class (STRAIN_SCENARIO, see
// <strain/scenario.hpp>) or a test function (STRAIN_TEST), a plain body that starts its own threads
// (std::thread, std::jthread, pthread_create, std::async), the shape loom, Shuttle and Fray tests
// have:
//
//   STRAIN_TEST(transfer_race) {
//     Account a{100};
//     std::thread t([&] { a.withdraw(80); });
//     a.withdraw(80);
//     t.join();
//     strain::expect(a.balance() >= 0, "balance never negative");
//   }

#include <boost/dll/alias.hpp>

#include "strain/scenario.hpp"

//! Registers scenario class `Type` under `name` (an identifier). The host finds it by the exported
//! alias `strain_scenario_<name>` in the library's "strain" section, so one library may register
//! several scenarios.
#define STRAIN_SCENARIO(Type, name)                                   \
  namespace strain_registration_##name {                              \
    const ::strain::detail::ScenarioDescriptor* describe() noexcept { \
      return ::strain::Declare<Type>::describe(#name);                \
    }                                                                 \
  }                                                                   \
  BOOST_DLL_ALIAS_SECTIONED(strain_registration_##name::describe, strain_scenario_##name, strain)

namespace strain::detail {
template <class... More>
constexpr const char* first_variant(const char* first, More...) noexcept {
  return first;
}
}  // namespace strain::detail

//! Registers the body that follows as test-function scenario `name` (an identifier): one role,
//! `main`, that runs the body, so a spec needs no `roles`; `ctx` (the role's strain::Context) is in
//! scope. Under the controlled strategy every thread the body starts joins the trial's schedule.
//! Optional string literals after the name are the values of a `variant` param (the first is the
//! default), which a spec's cases choose between and the body reads with ctx.str_param("variant").
#define STRAIN_TEST(name, ...)                                                        \
  static void strain_test_body_##name(::strain::Context& ctx);                        \
  namespace strain_test_##name {                                                      \
    struct Scenario {                                                                 \
      static void declare(::strain::Declare<Scenario>& d) {                           \
        d.doc("test function " #name).role("main", &Scenario::main, "the test body"); \
        __VA_OPT__(d.param("variant", ::strain::detail::first_variant(__VA_ARGS__),   \
                           "which variant the body runs", {__VA_ARGS__});)            \
      }                                                                               \
      void main(::strain::Context& c) { strain_test_body_##name(c); }                 \
    };                                                                                \
  }                                                                                   \
  STRAIN_SCENARIO(strain_test_##name::Scenario, name)                                 \
  static void strain_test_body_##name([[maybe_unused]] ::strain::Context& ctx)
