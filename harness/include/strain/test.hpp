#pragma once
// Test-function scenarios: a plain body that starts its own threads
// (std::thread, std::jthread, pthread_create, std::async), the shape loom,
// Shuttle and Fray tests have. Registered with STRAIN_TEST from
// <strain/plugin.hpp>:
//
//   STRAIN_TEST(transfer_race) {
//     Account a{100};
//     std::thread t([&] { a.withdraw(80); });
//     a.withdraw(80);
//     t.join();
//     strain::expect(a.balance() >= 0, "balance never negative");
//   }
//
// The body runs as the scenario's one role, `main`, so a spec needs no
// `roles`. Under the controlled strategy every thread it starts joins the
// trial's schedule. `ctx` (the role's strain::Context) is in scope in the
// body for params, metrics and the rest.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "strain/context.hpp"

//! Defined by the strain host: records a failure of the code under test in
//! the role that started the calling thread, when the calling thread belongs
//! to a steered trial; returns false otherwise. Weak, so a plugin also links
//! without the host (its unit tests).
extern "C" bool strain_record_failure(int kind, const char* what, std::size_t len) noexcept
    __attribute__((weak));

namespace strain {

//! Fails the trial as a `violation` with `what` unless `cond` holds, from any
//! thread of the trial, including threads the code under test started (a
//! thread the harness cannot attribute ends the run of the worker with the
//! message: the trial then counts as a crash). Returns cond.
inline bool expect(bool cond, std::string_view what) noexcept {
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

}  // namespace strain
