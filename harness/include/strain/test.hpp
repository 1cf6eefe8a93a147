#pragma once
// Test-function scenarios: a plain body that starts its own threads (std::thread, std::jthread,
// pthread_create, std::async), the shape loom, Shuttle and Fray tests have. Registered with
// STRAIN_TEST from <strain/plugin.hpp>:
//
//   STRAIN_TEST(transfer_race) {
//     Account a{100};
//     std::thread t([&] { a.withdraw(80); });
//     a.withdraw(80);
//     t.join();
//     strain::expect(a.balance() >= 0, "balance never negative");
//   }
//
// The body runs as the scenario's one role, `main`, so a spec needs no `roles`. Under the
// controlled strategy every thread it starts joins the trial's schedule. `ctx` (the role's
// strain::Context) is in scope in the body for params, metrics and the rest.

#include <string_view>

#include "strain/context.hpp"

namespace strain {

//! Fails the trial as a `violation` with `what` unless `cond` holds, from any thread of the trial,
//! including threads the code under test started (a thread the harness cannot attribute ends the
//! run of the worker with the message: the trial then counts as a crash). Returns cond.
bool expect(bool cond, std::string_view what) noexcept;

}  // namespace strain
