#include "exec/process_team.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>
#include <thread>

#include "core/signal_text.hpp"

namespace strain::exec {

namespace {

using Clock = std::chrono::steady_clock;

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + signal_text(WTERMSIG(status));
  }
  return fmt::format("exited with status {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

// Waits for the start barrier without a futex: std::atomic::wait uses
// private futexes, which do not work across processes. Spin, then yield,
// then nap, so idle role processes cost little while the coordinator checks.
template <class Pred>
void wait_until(Pred done) {
  for (int k = 0; !done(); ++k) {
    if (k < 1000) continue;
    if (k < 2000) {
      ::sched_yield();
      continue;
    }
    timespec ts{0, 20'000};
    ::nanosleep(&ts, nullptr);
  }
}

}  // namespace

ProcessTeam::ProcessTeam(unsigned n, ThreadTeam::Body body, void* arg, ProcessControl* control)
    : n_(n), body_(body), arg_(arg), control_(control) {
  void* mem = ::mmap(nullptr, sizeof(std::atomic<std::uint64_t>) * n_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  finished_ = static_cast<std::atomic<std::uint64_t>*>(mem);
  for (unsigned k = 0; k < n_; ++k) new (&finished_[k]) std::atomic<std::uint64_t>(0);
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
  std::uint64_t seen = 0;
  for (;;) {
    std::uint64_t g;
    wait_until([&] { return (g = control_->generation.load(std::memory_order_acquire)) != seen; });
    seen = g;
    if (control_->stop.load(std::memory_order_acquire) != 0) ::_exit(0);
    body_(arg_, index);
    finished_[index].store(g, std::memory_order_release);
    control_->remaining.fetch_sub(1, std::memory_order_acq_rel);
  }
}

ProcessTeam::~ProcessTeam() {
  // A role process still inside a trial (one that hung, or waits for one
  // that died) would never see the stop: end it now rather than after the
  // grace period below, so a replay of a hang costs its timeout only.
  for (const auto& [k, pid] : still_running()) ::kill(pid, SIGKILL);
  control_->stop.store(1, std::memory_order_release);
  control_->generation.fetch_add(1, std::memory_order_acq_rel);
  const auto until = Clock::now() + std::chrono::seconds(2);
  for (pid_t& pid : pids_) {
    if (pid <= 0) continue;
    int status;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > until) {
        // Still inside a hung role: it cannot be stopped any other way.
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ::munmap(finished_, sizeof(std::atomic<std::uint64_t>) * n_);
}

std::vector<std::pair<unsigned, pid_t>> ProcessTeam::still_running() const {
  const std::uint64_t g = control_->generation.load(std::memory_order_acquire);
  std::vector<std::pair<unsigned, pid_t>> out;
  for (unsigned k = 0; k < n_; ++k)
    if (pids_[k] > 0 && finished_[k].load(std::memory_order_acquire) != g)
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

ProcessTeam::End ProcessTeam::run_trial(double timeout_s, std::string& why, unsigned& index) {
  control_->remaining.store(n_, std::memory_order_relaxed);
  control_->generation.fetch_add(1, std::memory_order_acq_rel);
  const auto t0 = Clock::now();
  for (std::uint64_t k = 0; control_->remaining.load(std::memory_order_acquire) != 0; ++k) {
    if (k < 200) continue;
    ::sched_yield();
    // A role process that died can never arrive: look every few hundred
    // yields (a waitpid is a syscall), and watch the clock as well.
    if (k % 256 == 0) {
      if (reap_dead(why, index)) return End::died;
      if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) return End::timeout;
    }
  }
  return End::done;
}

}  // namespace strain::exec
