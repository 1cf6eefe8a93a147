#pragma once
// What the step between trials tells the next trial's roles: which trial
// they run and its seed. A role's context points at it (ContextData::stamp)
// and reads it only when the role's code asks (ctx.trial(), ctx.seed(), its
// first ctx.rng()); a role that resets its context as it starts
// (CaseState::reset_role()) writes only its own line. The process topology
// carries it on its start barrier's line (ProcessControl), which every role
// reads to start anyway; the thread topology keeps it on a line of its own
// in the arena, since its waiters spin on the barrier's line while the step
// runs and each write there takes the line back from them. speed_bench, 4
// runs each in turns on the 2-core VM, when every role copied it as it
// started: processes_none/2 1.07-1.22 M trials/s with the stamp on its own
// line, 1.27-1.41 M on the barrier's; threads_none/2 1.01-1.08 M on its
// own, 0.90-0.95 M on the barrier's.

#include "runtime/abi_types.hpp"

namespace strain::exec {

using TrialStamp = detail::TrialStamp;

}  // namespace strain::exec
