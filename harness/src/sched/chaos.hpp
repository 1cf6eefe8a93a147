#pragma once
// The chaos strategy, for code whose synchronisation the harness cannot
// steer (std::mutex, std::atomic, a pool of its own): it perturbs the real
// scheduler at schedule points, after PCT and rr's chaos mode. Each trial
// gives every thread a random priority; the lower a thread's priority, the
// more often it yields at a point, so the highest runs nearly
// uninterrupted. At depth - 1 change points, drawn among the points the
// thread passed in its previous trial, the thread is starved: it stops for a
// log-uniform time between starve_min_us and starve_max_us, long enough for
// the others to run through a window that is otherwise nanoseconds wide.

#include <cstdint>

#include "model/strategy.hpp"
#include "sched/thread_sched.hpp"
#include "strain/context.hpp"

namespace strain::sched {

//! Sets up a thread's chaos state from the spec (once per case).
void chaos_configure(const model::Strategy& s, unsigned threads, ChaosState& st);

//! Draws the thread's priority and change points for a trial. Every thread of
//! the trial derives the same priority order from `trial_seed`.
void chaos_begin_trial(ThreadSched& ts, std::uint64_t trial_seed);

//! The point function (a Context's PointFn) of chaos.
void chaos_point(Context& ctx, const char* label, const void* object, detail::Access kind) noexcept;

}  // namespace strain::sched
