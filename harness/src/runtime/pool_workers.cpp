// The workers' side of the process pool's engine (runtime/pool_engine.hpp):
// forking them, the loop that runs tasks, noticing deaths (which break the
// pool), stopping and reaping them.

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <system_error>

#include "runtime/pool_engine.hpp"
#include "runtime/tsan_build.hpp"

namespace strain::detail {

void PoolCore::Engine::copy_text(char* dst, std::size_t cap, const std::string& text) {
  const std::size_t n = std::min(text.size(), cap - 1);
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

std::string PoolCore::Engine::describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig);
    const char* text = ::strsignal(sig);
    return "was killed by signal SIG" + std::string(abbrev != nullptr ? abbrev : "?") + " (" +
           (text != nullptr ? text : "?") + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

void PoolCore::Engine::break_locked(const std::string& why) {
  if (!ctl_->broken) {
    ctl_->broken = true;
    copy_text(ctl_->why, sizeof ctl_->why, why);
  }
  for (std::uint32_t s = 0; s < capacity_; ++s) {
    Slot& sl = *slot(s);
    if (sl.state != State::queued && sl.state != State::running) continue;
    sl.state = State::lost;
    sl.order = ++ctl_->finishes;
    if (sl.message[0] == '\0') copy_text(sl.message, sizeof sl.message, ctl_->why);
    if (sl.abandoned) release(s);
  }
  ctl_->queued = 0;
  raw_broadcast(ctl_->done);
}

void PoolCore::Engine::reap_locked() {
  for (unsigned w = 0; w < workers_; ++w) {
    Worker& wk = *worker(w);
    if (wk.reaped) continue;
    int status = 0;
    const pid_t r = ::waitpid(wk.pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) continue;
    wk.reaped = true;
    if (ctl_->shutdown) continue;
    // ECHILD: someone else reaped it (SIGCHLD ignored?); it is gone either way.
    const std::string how = r < 0 ? "ended (its exit status was lost)" : describe_exit(status);
    const std::string who = "worker process (pid " + std::to_string(wk.pid) + ") " + how;
    if (wk.running >= 0) {
      Slot& sl = *slot(static_cast<std::uint32_t>(wk.running));
      std::string what = who + " while running this task";
#ifdef STRAIN_TSAN_BUILD
      // ThreadSanitizer ends a child of a multithreaded fork that starts a
      // thread (die_after_fork) with an exit, not a signal; its own message
      // is in the output, but the caller should not have to guess.
      if (r > 0 && WIFEXITED(status))
        what +=
            "; under ThreadSanitizer a task that starts a thread ends its worker so "
            "(die_after_fork): tasks must not start threads";
#endif
      copy_text(sl.message, sizeof sl.message, what);
      wk.running = -1;
    }
    break_locked("the process pool is broken: " + who +
                 "; tasks that were queued or running will not complete");
  }
}

void PoolCore::Engine::start_workers() {
  const pid_t parent = ::getpid();
  for (unsigned w = 0; w < workers_; ++w) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Dies with the thread that made the pool, so that a crashed or
      // abandoned role leaves no worker behind (nor its inherited pipes).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(0);
      worker_main(w, parent);
    }
    if (pid < 0) {
      const int err = errno;
      stop_workers();
      ::munmap(base_, bytes_);
      base_ = nullptr;
      throw std::system_error(err, std::generic_category(), "ProcessPool: fork");
    }
    worker(w)->pid = pid;
  }
}

void PoolCore::Engine::worker_main(unsigned w, pid_t parent) noexcept {
  // The forking thread's context came along: a task's sync primitives
  // must not call into a strategy that runs in another process.
  tls_context = nullptr;
  Worker& me = *worker(w);
  try {
    for (;;) {
      std::uint32_t s = 0;
      bool quit = false;
      {
        Locked lock(*this);
        while (ctl_->queued == 0 && !ctl_->shutdown && !ctl_->broken && !quit) {
          (void)raw_wait_until(ctl_->work, ctl_->m, deadline_after_seconds(0.100));
          // An orphan (its owner is gone but PR_SET_PDEATHSIG did not
          // fire) exits too.
          quit = ::getppid() != parent;
        }
        quit = quit || ctl_->shutdown || ctl_->broken;
        if (!quit) {
          s = ring()[ctl_->head];
          ctl_->head = (ctl_->head + 1) % capacity_;
          --ctl_->queued;
          slot(s)->state = State::running;
          me.running = s;
        }
      }
      // Exits only with the lock released: a robust mutex left owned by
      // a dead process would make the next locker think it crashed.
      if (quit) ::_exit(0);
      State end = State::done;
      std::string what;
      try {
        run_(self_, arg_of(s), result_of(s));
      } catch (const std::exception& e) {
        end = State::raised;
        what = e.what();
      } catch (...) {
        end = State::raised;
        what = "unknown exception";
      }
      Locked lock(*this);
      me.running = -1;
      Slot& sl = *slot(s);
      if (sl.state != State::running) continue;  // lost meanwhile: the pool broke
      sl.state = end;
      sl.order = ++ctl_->finishes;
      if (end == State::raised)
        copy_text(
            sl.message, sizeof sl.message,
            "task raised in worker process (pid " + std::to_string(::getpid()) + "): " + what);
      if (sl.abandoned) release(s);
      raw_broadcast(ctl_->done);
    }
  } catch (...) {
    // Only the pool's own bookkeeping can get here (a broken lock); the
    // owner sees this worker's death.
  }
  ::_exit(3);
}

void PoolCore::Engine::stop_workers() noexcept {
  std::vector<bool> running(workers_, false);
  try {
    Locked lock(*this);
    ctl_->shutdown = true;
    raw_broadcast(ctl_->work);
    for (unsigned w = 0; w < workers_; ++w) running[w] = worker(w)->running >= 0;
  } catch (...) {
  }
  // A worker still running a task runs it for nobody (its future was
  // dropped): kill it rather than wait. Idle ones exit on their own.
  for (unsigned w = 0; w < workers_; ++w)
    if (running[w] && worker(w)->pid > 0 && !worker(w)->reaped) ::kill(worker(w)->pid, SIGKILL);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (unsigned w = 0; w < workers_; ++w) {
    Worker& wk = *worker(w);
    if (wk.pid <= 0 || wk.reaped) continue;
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(wk.pid, &status, WNOHANG);
      if (r != 0 && !(r < 0 && errno == EINTR)) break;
      if (std::chrono::steady_clock::now() > until) {
        ::kill(wk.pid, SIGKILL);
        while (::waitpid(wk.pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      timespec nap{0, 200'000};
      ::nanosleep(&nap, nullptr);
    }
    wk.reaped = true;
  }
}

}  // namespace strain::detail
