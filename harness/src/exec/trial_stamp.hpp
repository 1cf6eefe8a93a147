#pragma once
// What the step between trials tells the next trial's roles: each role
// resets its own context from it as it starts (CaseState::reset_role()), so
// the lines it writes stay in its core's cache. The process topology
// carries it on its start barrier's line (ProcessControl), which every role
// reads to start anyway; the thread topology keeps it on a line of its own
// in the arena, since its waiters spin on the barrier's line while the step
// runs and each write there takes the line back from them. speed_bench, 4
// runs each in turns on the 2-core VM: processes_none/2 1.07-1.22 M trials/s
// with the stamp on its own line, 1.27-1.41 M on the barrier's;
// threads_none/2 1.01-1.08 M on its own, 0.90-0.95 M on the barrier's.

#include <cstdint>

namespace strain::exec {

struct TrialStamp {
  std::uint64_t trial = 0, seed = 0;
};

}  // namespace strain::exec
