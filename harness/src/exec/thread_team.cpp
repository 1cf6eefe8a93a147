#include "exec/thread_team.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>

#include "core/brief_spin.hpp"
#include "core/spare_cores.hpp"
#include "core/spin_wait.hpp"
#include "core/tsan_ignore.hpp"

namespace strain::exec {

namespace {
// No `pause` in the barrier's spin, no sched_yield: see core/spin_wait.hpp.
inline void cpu_relax() noexcept { asm volatile("" ::: "memory"); }
// The policy of core::SpinWait, and its lengths (the measurements are
// there), written out here rather than called: through SpinWait, speed_bench
// threads_controlled/2 ran 2-8% slower in each of 8 rounds (A/B
// alternated), though its turns do the same work.
constexpr int kShortSpins = core::SpinWait::kShortSpins;
constexpr std::int64_t kSpinNs = core::SpinWait::kSpinNs;
constexpr std::int64_t kBriefSpinNs = core::SpinWait::kBriefSpinNs;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The start barrier's sleep, on the futex itself: std::atomic's wait in
// libstdc++ 12 spins and yields first (see above).
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
            nullptr, 0);
}
void futex_wake_all(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
            nullptr, nullptr, 0);
}
}  // namespace

ThreadTeam::ThreadTeam(unsigned threads, Body body, Between between, void* arg)
    : n_(threads), body_(body), between_(between), arg_(arg), remaining_(threads) {
  threads_.reserve(n_);
  try {
    for (unsigned k = 0; k < n_; ++k) threads_.emplace_back([this, k] { worker(k); });
  } catch (...) {
    // The system refused a thread: end those started, or their std::thread
    // objects would terminate the process as the vector unwinds.
    stop_.store(true, std::memory_order_relaxed);
    release_next();
    for (auto& t : threads_) t.join();
    throw;
  }
}

ThreadTeam::~ThreadTeam() {
  if (abandoned_) {
    for (auto& t : threads_) t.detach();
    return;
  }
  stop_.store(true, std::memory_order_relaxed);
  release_next();
  for (auto& t : threads_) t.join();
}

void ThreadTeam::release_next() {
  generation_.fetch_add(1, std::memory_order_seq_cst);
  // Not hidden from TSan, unlike the sleep (see worker()): this runs between
  // trials, when every role has ended, so the edges it makes order nothing a
  // trial could race on.
  if (sleepers_.load(std::memory_order_seq_cst) > 0) futex_wake_all(generation_);
}

void ThreadTeam::start() { release_next(); }

bool ThreadTeam::wait_done(double wait_s) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (done_.load(std::memory_order_acquire) == 0) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec rel{static_cast<time_t>(ns / 1'000'000'000),
                       static_cast<long>(ns % 1'000'000'000)};
    // Returns at once if the word is no longer 0, on a wake, or at `rel`.
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&done_), FUTEX_WAIT_PRIVATE, 0u, &rel,
              nullptr, 0);
  }
  return true;
}

void ThreadTeam::worker(unsigned index) {
  const unsigned cores = core::usable_cores();
  core::BriefSpin brief;
  std::uint32_t seen = 0;
  for (;;) {
    // The start barrier: wait for the next generation.
    int spins = 0;
    std::int64_t until = 0;
    enum { kUndecided, kSpin, kBrief, kSleep } how = kUndecided;
    std::uint32_t g;
    while ((g = generation_.load(std::memory_order_acquire)) == seen) {
      ++spins;
      if (spins < kShortSpins) {
        cpu_relax();
        continue;
      }
      if (how == kUndecided) {
        // A team that fits the cores spins briefly even when other programs
        // compete for them: the member it waits for is often running on the
        // other core (see kBriefSpinNs), unless that kept failing.
        how = core::spare_cores(n_, cores)      ? kSpin
              : n_ <= cores && brief.worth_it() ? kBrief
                                                : kSleep;
        // The clock every 64 turns: a read costs ~30 ns under kvm-clock.
        if (how != kSleep) until = now_ns() + (how == kSpin ? kSpinNs : kBriefSpinNs);
      }
      if (how != kSleep && (spins % 64 != 0 || now_ns() < until)) {
        cpu_relax();
        continue;
      }
      if (how == kBrief) brief.missed();
      how = kSleep;
      {
        // Hidden from TSan: to it, every read-modify-write of sleepers_ is
        // an acquire and a release. A
        // role that finished first and went to sleep would release its
        // accesses there, and a thread that wakes later would acquire them
        // before running its role: a happens-before edge between two roles
        // of one trial, hiding their race. (Follows from TSan's model; not
        // caught in a run so far, the timing needs a thread slow to wake.)
        // The one edge a trial needs, from whoever released it, is the
        // acquire load of generation_ above.
        TsanIgnore hide;
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        // Checked again after announcing the sleep: release_next() bumps the
        // generation before it reads sleepers_, so one of the two sees the
        // other (both seq_cst), and the futex compares the word itself.
        if (generation_.load(std::memory_order_seq_cst) == seen) futex_wait(generation_, seen);
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      }
    }
    if (how == kBrief) brief.hit();
    seen = g;
    if (stop_.load(std::memory_order_relaxed)) return;
    // Before the count, whose release the last finisher acquires.
    if (body_(arg_, index)) flagged_.store(1, std::memory_order_relaxed);
    // The last to finish runs `between`. Not a fixed thread, as in the
    // process topology (process_team.cpp): there the step's lines stay in
    // role process 0's cache; here thread 0 as the leader ran no faster
    // (speed_bench threads_none/2, A/B alternated, 4 rounds: 1.09-1.19 M
    // trials/s the last finisher, 1.12-1.26 M the leader; beside two busy
    // loops 327-540 k and 251-576 k), and when the team outnumbers the
    // cores the leader is often asleep when the last one finishes, and
    // waking it costs a switch (threads_none/4: 106-112 k -> 60-65 k).
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      remaining_.store(n_, std::memory_order_relaxed);
      const bool flagged = flagged_.load(std::memory_order_relaxed) != 0;
      if (flagged) flagged_.store(0, std::memory_order_relaxed);
      if (between_(arg_, flagged)) {
        release_next();
      } else {
        done_.store(1, std::memory_order_release);
        futex_wake_all(done_);
      }
    }
  }
}

}  // namespace strain::exec
