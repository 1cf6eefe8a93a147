#pragma once
// What the detection kernels share: local work between shared accesses, and
// the bug/fixed variant parameter.

#include <cstdint>
#include <strain/strain.hpp>
#include <string_view>

namespace kernels {

//! Computation that touches no shared state, as real code does between its
//! shared accesses: it spreads a bug's window in time, so plain stress
//! rarely lines two windows up. No schedule point: the kernels have none by
//! hand.
inline void work(std::int64_t iterations) {
  volatile std::uint64_t sink = 0;
  for (std::int64_t i = 0; i < iterations; ++i) sink = sink + static_cast<std::uint64_t>(i);
}

//! `iterations` for the first instance of a role, twice that for the second,
//! and so on: instances of one role rarely do exactly the same work before
//! they meet, and identical work from a common start would line their
//! windows up for plain stress by construction.
inline std::int64_t staggered(std::int64_t iterations, const strain::Context& ctx) {
  return iterations * (1 + static_cast<std::int64_t>(ctx.instance()));
}

//! `iterations` plus a share of `spread` drawn from the thread's own seeded
//! generator. Threads released together by the start barrier then reach
//! their shared accesses at different moments, as threads of real code do,
//! instead of in lockstep: with equal work on two free cores, lockstep lines
//! a few-instruction window up for plain stress by construction (measured:
//! lost_update found by `none` in ~4 trials on an idle machine). The draw is
//! the scenario's, not the strategy's, so replays repeat it.
inline std::int64_t jittered(std::int64_t iterations, std::int64_t spread, strain::Context& ctx) {
  return iterations + ctx.rng().uniform(0, spread);
}

//! Declares the `variant` parameter every kernel has.
template <class T>
void variants(strain::Declare<T>& d) {
  d.param("variant", "bug", "bug: the kernel's bug; fixed: the same code, corrected",
          {"bug", "fixed"});
}

//! True for the `bug` variant.
inline bool buggy(const strain::Context& ctx) { return ctx.str_param("variant") == "bug"; }

}  // namespace kernels
