#pragma once
// One wait of a team member (the process team's start barrier and role
// process 0's wait for the others to finish, a controlled thread's wait for
// its turn; the thread team writes the same policy out, see
// exec/thread_team.cpp): spin a little,
// then spin on, spin briefly, yield or sleep as the machine allows
// (core/spare_cores.hpp, core/brief_spin.hpp). The caller sleeps on its
// futex when keep_spinning() says so. The turns are plain loads, without
// `pause`: under KVM, pause-loop exiting turns a pausing spinner into a VM
// exit that deschedules the vCPU (2-vCPU CI machine, team_bench: 0.45 M
// trials/s with pause, 1.5 M without); and no sched_yield unless the team
// is alone on the machine: beside busy processes each yield gave the slice
// away for milliseconds.
//
// The lengths, on the trivial 2-role trial (speed_bench, 2-core VM):
// - quiet / beside two busy loops: 520 k / 0.7 k trials/s spinning 2,000
//   turns then yielding 200 times; 77 k / 129 k sleeping after 2,000 turns;
//   spinning only on spare cores, 446 k / 133 k for a 100 us spin and
//   750-910 k / 42-200 k for 400 us (kSpinNs);
// - the team fits the cores but other programs compete for them (beside two
//   busy loops, 4 runs each): threads 58-132 k trials/s sleeping after the
//   short spin, 400-444 k spinning 20 us first (kBriefSpinNs); processes
//   53-85 k and 380-444 k. Not when the team outnumbers the cores: then the
//   spinner takes the core of the member it waits for (threads_none/16,
//   quiet: 16 k trials/s without the spin, 5 k with it).

#include <sched.h>

#include <chrono>
#include <cstdint>

#include "core/brief_spin.hpp"

namespace strain::core {

//! How a waiter waits once past its short spin.
enum class Waiting : std::uint32_t {
  sleep,  // at once
  spin,   // up to kSpinNs: the machine has a core for each waiter
  yield,  // yield up to kSpinNs: nothing outside the team is runnable
  brief,  // kBriefSpinNs, while such spins pay (BriefSpin): the team fits
          // the cores, but other programs compete for them
};

class SpinWait {
 public:
  static constexpr int kShortSpins = 100;
  static constexpr std::int64_t kSpinNs = 400'000;
  static constexpr std::int64_t kBriefSpinNs = 20'000;

  //! A wait whose spin (Waiting::spin, yield) lasts `spin_ns`.
  explicit SpinWait(std::int64_t spin_ns = kSpinNs) noexcept : spin_ns_(spin_ns) {}

  //! Whether to go on spinning; false: sleep now. `decide()` says how to
  //! wait, asked once, when the short spin is over.
  template <class Decide>
  bool keep_spinning(Decide&& decide, BriefSpin& brief) noexcept {
    if (++spins_ < kShortSpins) return true;
    if (!decided_) decide_once(decide(), brief);
    // The clock every 64 turns only: a read costs ~30 ns under kvm-clock.
    if ((how_ == Waiting::spin || how_ == Waiting::brief) && spins_ % 64 != 0) return true;
    return go_on(brief);
  }
  //! Once the wait ended: whether a brief spin saw it end.
  void ended(BriefSpin& brief) const noexcept {
    if (how_ == Waiting::brief) brief.hit();
  }

 private:
  // Inline, all of it: out of line, the calls would take the object's
  // address, and its counter would live in memory (a store and a load every
  // turn) rather than in a register.
  void decide_once(Waiting how, BriefSpin& brief) noexcept {
    decided_ = true;
    how_ = how == Waiting::brief && !brief.worth_it() ? Waiting::sleep : how;
    if (how_ != Waiting::sleep)
      until_ = now_ns() + (how_ == Waiting::brief ? kBriefSpinNs : spin_ns_);
  }
  bool go_on(BriefSpin& brief) noexcept {
    switch (how_) {
      case Waiting::sleep:
        return false;
      case Waiting::yield:
        ::sched_yield();
        if (now_ns() < until_) return true;
        break;
      case Waiting::spin:
      case Waiting::brief:
        if (now_ns() < until_) return true;
        break;
    }
    if (how_ == Waiting::brief) brief.missed();
    how_ = Waiting::sleep;
    return false;
  }
  static std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  int spins_ = 0;
  bool decided_ = false;
  Waiting how_ = Waiting::sleep;
  std::int64_t spin_ns_;
  std::int64_t until_ = 0;
};

}  // namespace strain::core
