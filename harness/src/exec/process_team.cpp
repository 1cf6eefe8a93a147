#include "exec/process_team.hpp"

#include <fmt/format.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>
#include <thread>

#include "core/brief_spin.hpp"
#include "core/signal_text.hpp"
#include "core/spin_wait.hpp"

namespace strain::exec {

namespace {

using Clock = std::chrono::steady_clock;

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + signal_text(WTERMSIG(status));
  }
  return fmt::format("exited with status {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

// Futexes in MAP_SHARED memory: without FUTEX_PRIVATE_FLAG, so they work
// across the processes (std::atomic's wait uses private ones). A timeout of
// null waits for a wake; the call returns at once if the word is no longer
// `seen`.
int shared_futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                      const timespec* timeout) {
  return static_cast<int>(::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT,
                                    seen, timeout, nullptr, 0));
}
void shared_futex_wake(std::atomic<std::uint32_t>& word, int count) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, count, nullptr, nullptr,
            0);
}

// The coordinator's sleep: a role that died never wakes it, so it looks
// for the dead (and the trial's timeout) at least this often.
constexpr timespec kCoordinatorNap{0, 10'000'000};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// How a waiter waits past its short spin: as the coordinator last sampled.
core::Waiting sampled(const ProcessControl& c) {
  return static_cast<core::Waiting>(c.wait.load(std::memory_order_relaxed));
}

}  // namespace

ProcessTeam::ProcessTeam(unsigned n, ThreadTeam::Body body, ThreadTeam::Between between,
                         ThreadTeam::Between resume, void* arg, ProcessControl* control)
    : n_(n), body_(body), between_(between), resume_(resume), arg_(arg), control_(control) {
  void* mem = ::mmap(nullptr, sizeof(Finished) * n_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  finished_ = static_cast<Finished*>(mem);
  for (unsigned k = 0; k < n_; ++k) new (&finished_[k]) Finished();
  const pid_t parent = ::getpid();
  for (unsigned k = 0; k < n_; ++k) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      // A role process never outlives its worker.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(0);
      role_main(k);
    }
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    pids_.push_back(pid);
  }
}

void ProcessTeam::role_main(unsigned index) {
  std::uint32_t seen = 0;
  for (;;) {
    std::uint32_t g;
    core::SpinWait spin;
    while ((g = control_->generation.load(std::memory_order_acquire)) == seen) {
      if (spin.keep_spinning([this] { return sampled(*control_); }, brief_)) continue;
      // Announced before the last look, which run_trial's bump of the
      // generation and its read of role_sleepers mirror (all seq_cst).
      control_->role_sleepers.fetch_add(1, std::memory_order_seq_cst);
      if (control_->generation.load(std::memory_order_seq_cst) == seen)
        shared_futex_wait(control_->generation, seen, nullptr);
      control_->role_sleepers.fetch_sub(1, std::memory_order_seq_cst);
    }
    spin.ended(brief_);
    seen = g;
    if (control_->stop.load(std::memory_order_acquire) != 0) ::_exit(0);
    // Before the count (seq_cst), which role process 0 acquires.
    if (body_(arg_, index)) control_->flagged.store(1, std::memory_order_relaxed);
    finished_[index].generation.store(g, std::memory_order_release);
    const bool last = control_->remaining.fetch_sub(1, std::memory_order_seq_cst) == 1;
    if (between_ == nullptr) {
      if (last) hand_back();
    } else if (index != 0) {
      if (last && control_->leader_sleeps.load(std::memory_order_seq_cst) != 0)
        shared_futex_wake(control_->remaining, 1);
    } else {
      if (!last) wait_for_the_others();
      end_of_trial();
    }
  }
}

// Role process 0 runs `between`, always: what it writes (the counters, the
// check's context and metrics, the next state) stays in its cache, where
// the last process to finish, a different one from trial to trial, took a
// miss on each of those lines (speed_bench processes/2, quiet: 610 k
// trials/s with the last finisher, more with the leader, see
// docs/performance.md). And a plugin's set-up and check always run in the
// same process, so what one leaves in a global the other finds.
void ProcessTeam::wait_for_the_others() {
  core::SpinWait spin;
  for (std::uint32_t left; (left = control_->remaining.load(std::memory_order_acquire)) != 0;) {
    if (spin.keep_spinning([this] { return sampled(*control_); }, brief_)) continue;
    // Announced before the last look, which the last finisher's decrement
    // and its read of leader_sleeps mirror (all seq_cst).
    control_->leader_sleeps.store(1, std::memory_order_seq_cst);
    // A role process that died never arrives: the team's destructor sets
    // `stop`, then changes `remaining` and wakes. Seen in that order here,
    // so no sleep begins on a word the destructor is done with.
    if ((left = control_->remaining.load(std::memory_order_seq_cst)) != 0) {
      if (control_->stop.load(std::memory_order_seq_cst) != 0) ::_exit(0);
      shared_futex_wait(control_->remaining, left, nullptr);
    }
    control_->leader_sleeps.store(0, std::memory_order_relaxed);
    if (control_->stop.load(std::memory_order_seq_cst) != 0) ::_exit(0);
  }
  spin.ended(brief_);
}

void ProcessTeam::end_of_trial() {
  control_->between_by.store(1, std::memory_order_relaxed);
  const bool flagged = control_->flagged.load(std::memory_order_relaxed) != 0;
  if (flagged) control_->flagged.store(0, std::memory_order_relaxed);
  bool next = between_(arg_, flagged);
  while (!next) {
    // The coordinator's turn: it records what the step could not, then
    // tells this process to set up the next trial (resume_), or stops the
    // team. The set-up stays here, with the checks: what a plugin's set-up
    // allocates on this process's heap, its check and its destroy free.
    control_->between_by.store(0, std::memory_order_relaxed);
    hand_back();
    wait_for_the_coordinator();
    control_->between_by.store(1, std::memory_order_relaxed);
    next = resume_(arg_, false);
  }
  control_->between_by.store(0, std::memory_order_relaxed);
  control_->remaining.store(n_, std::memory_order_relaxed);
  release();
}

void ProcessTeam::wait_for_the_coordinator() {
  for (std::uint32_t turn;
       (turn = control_->handed_back.load(std::memory_order_seq_cst)) != ProcessControl::kResume;) {
    // The destructor stores kStopped after `stop`, then wakes: whichever
    // this process saw last, it leaves (a wake before the sleep is lost,
    // but the futex does not sleep on a word that changed).
    if (turn == ProcessControl::kStopped) ::_exit(0);
    // The coordinator classifies a failure (and may symbolize stacks):
    // no reason to spin for it.
    shared_futex_wait(control_->handed_back, turn, nullptr);
  }
  control_->handed_back.store(ProcessControl::kTeam, std::memory_order_relaxed);
}

void ProcessTeam::hand_back() {
  control_->handed_back.store(ProcessControl::kCoordinator, std::memory_order_seq_cst);
  if (control_->coordinator_sleeps.load(std::memory_order_seq_cst) != 0)
    shared_futex_wake(control_->handed_back, 1);
}

void ProcessTeam::resume() {
  watched_at_ns_ = 0;
  watched_generation_ = control_->generation.load(std::memory_order_relaxed);
  control_->handed_back.store(ProcessControl::kResume, std::memory_order_seq_cst);
  shared_futex_wake(control_->handed_back, 1);
}

bool ProcessTeam::in_between() const {
  return control_->between_by.load(std::memory_order_relaxed) != 0;
}

void ProcessTeam::release() {
  control_->generation.fetch_add(1, std::memory_order_seq_cst);
  if (control_->role_sleepers.load(std::memory_order_seq_cst) > 0)
    shared_futex_wake(control_->generation, INT32_MAX);
}

ProcessTeam::~ProcessTeam() {
  // A role process still inside a trial (one that hung, or waits for one
  // that died) would never see the stop: end it now rather than after the
  // grace period below, so a replay of a hang costs its timeout only.
  for (const auto& [k, pid] : still_running()) ::kill(pid, SIGKILL);
  if (in_between() && pids_[0] > 0) ::kill(pids_[0], SIGKILL);
  control_->stop.store(1, std::memory_order_seq_cst);
  release();
  // Role process 0 may wait for a dead one, or for this thread: each of its
  // futex words changes before the wake, so a sleep it was about to begin
  // returns at once (a wake alone, before the sleep, was lost: one run of
  // speed_bench in two waited out the 2 s below).
  control_->remaining.fetch_add(1u << 16, std::memory_order_seq_cst);
  shared_futex_wake(control_->remaining, INT32_MAX);
  control_->handed_back.store(ProcessControl::kStopped, std::memory_order_seq_cst);
  shared_futex_wake(control_->handed_back, INT32_MAX);
  const auto until = Clock::now() + std::chrono::seconds(2);
  for (pid_t& pid : pids_) {
    if (pid <= 0) continue;
    int status;
    // The roles exit within microseconds of the stop: look again after
    // 20 us, doubling to 1 ms (a flat 1 ms poll cost every case a
    // millisecond, a fifth of a 10,000-trial processes case in speed_bench).
    auto nap = std::chrono::microseconds(20);
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > until) {
        // Still inside a hung role: it cannot be stopped any other way.
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(nap);
      nap = std::min(2 * nap, std::chrono::microseconds(1000));
    }
  }
  ::munmap(finished_, sizeof(Finished) * n_);
}

std::vector<std::pair<unsigned, pid_t>> ProcessTeam::still_running() const {
  const std::uint64_t g = control_->generation.load(std::memory_order_acquire);
  std::vector<std::pair<unsigned, pid_t>> out;
  for (unsigned k = 0; k < n_; ++k)
    if (pids_[k] > 0 && finished_[k].generation.load(std::memory_order_acquire) != g)
      out.emplace_back(k, pids_[k]);
  return out;
}

bool ProcessTeam::reap_dead(std::string& why, unsigned& index) {
  for (unsigned k = 0; k < n_; ++k) {
    if (pids_[k] <= 0) continue;
    int status;
    if (::waitpid(pids_[k], &status, WNOHANG) == pids_[k]) {
      why = fmt::format("the role process (pid {}) {}", pids_[k], describe_status(status));
      pids_[k] = -1;
      index = k;
      return true;
    }
  }
  return false;
}

void ProcessTeam::start_trial() {
  control_->handed_back.store(ProcessControl::kTeam, std::memory_order_relaxed);
  control_->remaining.store(n_, std::memory_order_relaxed);
  watched_at_ns_ = 0;  // read at wait()'s first look: no clock read per trial
  release();
  watched_generation_ = control_->generation.load(std::memory_order_relaxed);
}

ProcessTeam::End ProcessTeam::wait(double timeout_s, double slice_s, std::string& why,
                                   unsigned& index) {
  std::int64_t start = 0;  // at the first look, as watched_at_ns_
  const auto timeout_ns = static_cast<std::int64_t>(timeout_s * 1e9);
  const auto slice_ns = static_cast<std::int64_t>(slice_s * 1e9);
  core::SpinWait spin;
  for (std::uint32_t turn; (turn = control_->handed_back.load(std::memory_order_acquire)) !=
                           ProcessControl::kCoordinator;) {
    // Without `between` every trial comes back here, so spin as the roles
    // do; with it, trials come back only to end the run or on a failure.
    if (between_ == nullptr && spin.keep_spinning([this] { return sampled(*control_); }, brief_))
      continue;
    control_->coordinator_sleeps.store(1, std::memory_order_seq_cst);
    if ((turn = control_->handed_back.load(std::memory_order_seq_cst)) !=
        ProcessControl::kCoordinator)
      shared_futex_wait(control_->handed_back, turn, &kCoordinatorNap);
    control_->coordinator_sleeps.store(0, std::memory_order_relaxed);
    if (control_->handed_back.load(std::memory_order_acquire) == ProcessControl::kCoordinator)
      break;
    // A role process that died can never arrive: look when no role woke
    // this thread for a while (a waitpid is a syscall), and at the clock.
    if (reap_dead(why, index)) return End::died;
    const std::int64_t now = now_ns();
    if (start == 0) start = now;
    const std::uint32_t g = control_->generation.load(std::memory_order_relaxed);
    if (g != watched_generation_ || watched_at_ns_ == 0) {
      watched_generation_ = g;
      watched_at_ns_ = now;
    } else if (now - watched_at_ns_ > timeout_ns) {
      return End::timeout;
    }
    if (now - start > slice_ns) return End::running;
  }
  spin.ended(brief_);
  return End::done;
}

}  // namespace strain::exec
