#pragma once
// Whether a waiter should spin briefly before it sleeps while other
// programs compete for the cores (the "brief spin" of the thread team, the
// process team and the controlled scheduler; core/spare_cores.hpp says when
// that is). The brief spin pays when the member it waits for runs on the
// other core, and wastes the slice when both share one, which stays so for
// many trials: beside two busy loops, speed_bench processes_none/2 ran
// either ~400 k or ~20 k trials/s, run by run. So a waiter whose brief spins
// keep ending in a sleep stops spinning, and tries again now and then to
// notice that the placement changed. Plain counters, one per waiter: the
// hot path reads no shared line for it. speed_bench under taskset -c 0
// with a busy loop pinned to each core (the slow placement, forced), 2 runs
// each in turns: threads_none/2 26 k -> 166 k trials/s, processes_none/2
// 16.5 k -> 107 k, threads_controlled/2 17 k -> 99-108 k; unpinned beside
// two busy loops and quiet, no change beyond the VM's noise.

namespace strain::core {

class BriefSpin {
 public:
  //! Whether to spin briefly before this wait's sleep.
  bool worth_it() noexcept {
    if (misses_ < kMisses) return true;
    return ++skipped_ % kRetryEvery == 0;
  }
  //! The brief spin saw the wait end.
  void hit() noexcept { misses_ = 0; }
  //! The brief spin ran out and the waiter slept.
  void missed() noexcept {
    if (misses_ < kMisses) ++misses_;
  }

 private:
  // Four misses in a row: one miss happens whenever the other member is
  // preempted mid-trial, which is common beside busy loops even when the
  // two run on different cores.
  static constexpr unsigned kMisses = 4;
  // Then one wait in 64 spins again (a 20 us spin in 64 waits of the
  // sleeping kind, which cost ~5-10 us each on the VM: ~3% more).
  static constexpr unsigned kRetryEvery = 64;
  unsigned misses_ = 0;
  unsigned skipped_ = 0;
};

}  // namespace strain::core
