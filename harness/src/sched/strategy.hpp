#pragma once
// Schedule strategies at schedule points: `none` (nothing at all), `random`
// (yield, spin or sleep with given probabilities), `chaos` (chaos.hpp) and
// `controlled` (controller.hpp). The runner installs one in each role
// thread's context and reseeds it for every trial.

#include <cstdint>
#include <string>

#include "model/strategy.hpp"
#include "runtime/abi_types.hpp"
#include "sched/thread_sched.hpp"
#include "strain/context.hpp"

namespace strain::sched {

//! Sets up the context of team thread `index` of `threads` for strategy `s`,
//! with its state `ts`; `controller` is the case's scheduler under
//! `controlled` (else null). Under `none` its point function stays null, so
//! point() is one predictable branch.
void install(const model::Strategy& s, Context& ctx, ThreadSched& ts, unsigned index,
             unsigned threads, Controller* controller);

//! Restarts the thread's strategy state for a trial with seed `trial_seed`.
void reseed(ThreadSched& ts, std::uint64_t trial_seed);

//! The team's own schedule points around each role: its start and its end.
//! Under `controlled` the start waits for the thread's turn and the end
//! hands the turn on for good.
void role_started(Context& ctx) noexcept;
void role_ended(Context& ctx) noexcept;

}  // namespace strain::sched
