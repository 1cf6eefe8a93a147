// The turn: which thread runs, handed from one to the next. The first
// choice of a trial, the hand-off (a futex wake only for a sleeping target),
// the wait for the turn (spin, briefly spin, or sleep, as the machine
// allows) and the abort that wakes every waiter of a deadlocked trial. The
// decisions themselves are in controller.cpp.

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "core/brief_spin.hpp"
#include "core/spare_cores.hpp"
#include "core/spin_wait.hpp"
#include "core/tsan_ignore.hpp"
#include "sched/controller.hpp"
#include "sched/role_fibers.hpp"

namespace strain::sched {

namespace {

// A thread waiting for the turn spins this long before it sleeps on its
// futex, when the team fits the cores and the machine has a core for each
// (core/spare_cores.hpp): the turn often comes back within microseconds (a
// random walk switches at most points), and waking a sleeping thread costs
// tens of microseconds, milliseconds on a loaded machine. Otherwise it spins
// only briefly (core::SpinWait's brief spin while the team fits the cores,
// the short spin when it does not), since its spin would take the core from
// the thread that holds the turn. The trivial 2-thread trial under
// controlled/pct (speed_bench, quiet): 94 k trials/s with a 50 us spin,
// 290-300 k with 200. The brief spin, beside two busy loops
// (threads_controlled/2, 3 runs each): 30-32 k trials/s sleeping after the
// short spin, 28-149 k spinning 20 us first.
constexpr std::int64_t kSpinNs = 200'000;

// The turn's hand-off, on the futex itself rather than std::atomic's
// wait/notify: libstdc++ 12 spins and calls sched_yield before it sleeps,
// and behind busy processes each yield gave the slice away (issue 12: a
// trial of four controlled threads went from 10 ms to over 5 s beside two
// busy loops). The host exports syscall() to steer the code under test's
// futex waits: the scheduler's own pass straight through.
//
// errno is the code under test's: a wait that found the word moved
// (EAGAIN) or was interrupted (EINTR) set it, and a role that set errno,
// took a std::mutex and read it back got the scheduler's (fiber_roles
// variant errno, as threads, now and then under load). glibc's lock leaves
// it alone.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
  SteerPause pause;
  const int saved = errno;
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
            nullptr, 0);
  errno = saved;
}
void futex_wake(std::atomic<std::uint32_t>& word) {
  SteerPause pause;
  const int saved = errno;
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr,
            nullptr, 0);
  errno = saved;
}

}  // namespace

// The first choice, the same whatever the order in which the threads will
// arrive. Made by the thread that set the trial up, before the team starts,
// rather than by the last team thread to arrive: the scheduler's state (the
// picker's, the decisions, the enabled set) stays in one core's cache until
// a role takes the turn. speed_bench threads_controlled/2 on the 2-core VM,
// 4 runs each in turns: 384-400 k trials/s with the last to arrive
// choosing, 496-550 k with this (1.29-1.31 M and 1.72-1.74 M in a run whose
// two vCPUs sat closer).
void Controller::first_turn() {
  TsanIgnore ignore;
  enabled_.clear();
  for (unsigned u = 0; u < n_; ++u) enabled_.push_back(u);
  unsigned first = 0;
  if (n_ > 1) {
    ++steps_;
    first = decide('t', n_, picker_->pick(rng_, enabled_, kNobody, events_));
  }
  hand_to(first);
}

// The wake is a system call (~1 us on the CI VM, a tenth of a trivial
// controlled trial) that a spinning target does not need: it is made only
// when the target announced a sleep. Both sides are seq_cst: either the
// target's `sleeping` comes first and the wake follows, or the increment
// comes first and the target sees the word moved (the futex compares it).
void Controller::hand_to(unsigned next) {
  current_.store(next, std::memory_order_release);
  // Fibers: the host thread runs the holder next; nobody sleeps.
  if (fibers_ != nullptr) return;
  Slot& s = slots_[next];
  s.futex.fetch_add(1, std::memory_order_seq_cst);
  if (s.sleeping.load(std::memory_order_seq_cst) != 0) futex_wake(s.futex);
}

void Controller::await_turn(unsigned self) {
  const auto has_turn = [&] {
    return current_.load(std::memory_order_acquire) == self ||
           aborted_.load(std::memory_order_acquire);
  };
  if (fibers_ != nullptr) {
    // A fiber: the host thread runs whoever holds the turn now, and comes
    // back here when this one has it again (or the trial aborts).
    while (!has_turn()) fibers_->suspend(self);
    return;
  }
  // spin_: the team fits the cores. Beside other programs' threads it still
  // spins, briefly: the holder of the turn often runs on the other core.
  const auto how = [this] {
    return !spin_                          ? core::Waiting::sleep
           : core::spare_cores(n_, cores_) ? core::Waiting::spin
                                           : core::Waiting::brief;
  };
  std::atomic<std::uint32_t>& word = slots_[self].futex;
  core::SpinWait spin(kSpinNs);
  core::BriefSpin& brief = slots_[self].brief;
  std::atomic<std::uint32_t>& sleeping = slots_[self].sleeping;
  while (!has_turn()) {
    if (spin.keep_spinning(how, brief)) continue;
    // Read the word before checking again: a hand-off in between changes
    // it, so the wait cannot miss it. `sleeping` is announced before that
    // read (see hand_to()).
    sleeping.store(1, std::memory_order_seq_cst);
    const std::uint32_t seen = word.load(std::memory_order_seq_cst);
    if (!has_turn()) futex_wait(word, seen);
    sleeping.store(0, std::memory_order_relaxed);
  }
  spin.ended(brief);
}

bool Controller::spawn_fiber(unsigned t, void* (*start)(void*), void* arg,
                             std::size_t stack_bytes) {
  try {
    fibers_->spawn(t, start, arg, stack_bytes);
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

void Controller::abort_deadlock() {
  deadlock_ = true;
  aborted_.store(true, std::memory_order_release);
  current_.store(kNobody, std::memory_order_release);
  for (unsigned u = 0; u < live_; ++u) {
    slots_[u].futex.fetch_add(1, std::memory_order_release);
    futex_wake(slots_[u].futex);
  }
}

}  // namespace strain::sched
