// Threads of a controlled trial that wait for I/O (io_wait.hpp): parked like
// any other wait, woken by a poll at each decision instead of by another
// thread's call, and, once every thread is blocked, waited for in the kernel.

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "core/tsan_ignore.hpp"
#include "sched/controller.hpp"
#include "sched/steer.hpp"

namespace strain::sched {

namespace {

using detail::WaitResult;

// When every thread is blocked and some wait for I/O, the scheduler polls
// them with pauses that grow from 20 us to 5 ms: a reply from a loopback
// server or a child process comes within tens of microseconds, and a wait
// of seconds (a slow peer, a timer) costs ~200 polls a second.
constexpr std::int64_t kFirstPauseNs = 20'000;
constexpr std::int64_t kLongestPauseNs = 5'000'000;
// How long the world outside gets before an in-process timed wait (a timed
// lock, a condition wait with a timeout) times out instead, when both kinds
// wait: such a timeout fires only once nothing else can happen, and the
// I/O may be what the timed wait waits for (a worker's reply).
constexpr std::int64_t kIoBeforeTimeoutNs = 50'000'000;

}  // namespace

std::int64_t IoWait::now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

WaitResult Controller::block_io(unsigned t, const IoWait& io, const char* label) {
  Slot& s = slots_[t];
  s.io = &io;
  ++io_waiters_;
  const WaitResult r = block(t, &io, label, false);
  s.io = nullptr;
  --io_waiters_;
  return r;
}

// Makes the threads whose I/O is ready runnable, and, given the time
// (`now_ns` >= 0), those whose own timeout passed; true if any. The
// earliest deadline of those left waiting goes to `next_deadline` (kept if
// none is earlier).
bool Controller::wake_ready_io(std::int64_t now_ns, std::int64_t* next_deadline) {
  bool any = false;
  for (unsigned u = 0; u < live_; ++u) {
    const Slot& s = slots_[u];
    if (s.state != State::blocked || s.io == nullptr) continue;
    const std::int64_t deadline = s.io->deadline_ns;
    if (s.io->ready()) {
      make_runnable(u, WaitResult::woken);
      any = true;
    } else if (now_ns >= 0 && deadline >= 0 && deadline <= now_ns) {
      make_runnable(u, WaitResult::timed_out);
      any = true;
    } else if (next_deadline != nullptr && deadline >= 0) {
      *next_deadline = std::min(*next_deadline, deadline);
    }
  }
  return any;
}

// Every thread is blocked, some on I/O: waits for it in the kernel, for as
// long as it takes, or kIoBeforeTimeoutNs when `bounded` (in-process timed
// waits are blocked too). True once a thread was made runnable. A wait that
// never ends is the watchdog's hang, whose report names each wait
// (stall_report()).
bool Controller::await_io(bool bounded) {
  TsanIgnore ignore;
  io_idle_.store(true, std::memory_order_release);
  const std::int64_t start = IoWait::now_ns();
  std::int64_t pause = kFirstPauseNs;
  bool woke = false;
  for (;;) {
    const std::int64_t now = IoWait::now_ns();
    std::int64_t next = now + pause;  // a nap ends at the pause or the first deadline
    if ((woke = wake_ready_io(now, &next))) break;
    if (bounded && now - start >= kIoBeforeTimeoutNs) break;
    const std::int64_t nap = std::max<std::int64_t>(next - now, 0);
    const timespec ts{static_cast<time_t>(nap / 1'000'000'000),
                      static_cast<long>(nap % 1'000'000'000)};
    {
      SteerPause steer_pause;   // the host's nanosleep would take this for the code's
      const int saved = errno;  // the code under test's (see controller_turn.cpp)
      ::nanosleep(&ts, nullptr);
      errno = saved;
    }
    pause = std::min(pause * 2, kLongestPauseNs);
  }
  io_idle_.store(false, std::memory_order_release);
  return woke;
}

}  // namespace strain::sched
