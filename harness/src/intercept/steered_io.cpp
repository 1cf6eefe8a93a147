// The calls that wait for I/O, on a thread of a steered trial (see
// steered.hpp, sched/io_wait.hpp). A wait is asked of the kernel without
// blocking (a poll with no timeout), and while the answer is "not ready" the
// thread is parked in the scheduler; the call itself is made once something
// is ready, so it does not block with the turn held (only one thread of the
// trial runs, so no other thread of it takes the data in between).

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <string>

#include "intercept/real.hpp"
#include "intercept/steered.hpp"
#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/io_wait.hpp"
#include "sched/steer.hpp"
#include "strain/context.hpp"

namespace strain::intercept {

namespace {

using detail::WaitResult;

// Every I/O call is a point on one object: the scheduler cannot tell which
// descriptors are one pipe's two ends, so any two of them may depend on
// each other (the search's independence must not be guessed).
const char g_io = 0;

void point(const char* label) {
  sched::Steer& s = *sched::tls_steer;
  s.controller->point(s.index, label, &g_io, detail::Access::sync);
}

// What the descriptor is, for reports: its kind, from its mode or, for the
// anonymous inodes (eventfd, epoll, timerfd, signalfd), its /proc link.
std::string describe_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fmt::format("fd {}", fd);
  if (S_ISFIFO(st.st_mode)) return fmt::format("fd {} (a pipe)", fd);
  if (S_ISSOCK(st.st_mode)) return fmt::format("fd {} (a socket)", fd);
  if (S_ISCHR(st.st_mode)) return fmt::format("fd {} (a character device)", fd);
  std::array<char, 128> link{};
  const std::string path = fmt::format("/proc/self/fd/{}", fd);
  const ssize_t len = ::readlink(path.c_str(), link.data(), link.size() - 1);
  if (len > 0) return fmt::format("fd {} ({})", fd, std::string(link.data(), std::size_t(len)));
  return fmt::format("fd {}", fd);
}

struct FdWait final : sched::IoWait {
  pollfd fd{};
  bool ready() const override {
    pollfd p = fd;
    return real().poll(&p, 1, 0) > 0;  // readable, writable, hung up or in error
  }
  std::string what() const override {
    return describe_fd(fd.fd) +
           ((fd.events & POLLOUT) != 0 ? " to be writable" : " to be readable");
  }
};

struct PollWait final : sched::IoWait {
  pollfd* fds = nullptr;
  nfds_t n = 0;
  // Asks the caller's own array: the call made afterwards sets its revents
  // again.
  bool ready() const override { return real().poll(fds, n, 0) > 0; }
  std::string what() const override {
    std::string list;
    for (nfds_t k = 0; k < n && k < 8; ++k)
      list += fmt::format("{}{}", k == 0 ? "" : ", ", describe_fd(fds[k].fd));
    if (n > 8) list += ", ...";
    return fmt::format("one of {} descriptors to be ready: {}", n, list);
  }
};

// select()'s sets are both what it waits for and what it returns: the
// waits and the call work on copies of what the caller asked.
struct SelectWait final : sched::IoWait {
  int n = 0;
  std::array<fd_set*, 3> caller{};
  std::array<fd_set, 3> asked{};
  void restore() const {
    for (std::size_t k = 0; k < 3; ++k)
      if (caller[k] != nullptr) *caller[k] = asked[k];
  }
  bool ready() const override {
    std::array<fd_set, 3> sets = asked;
    timeval zero{};
    return real().select(n, caller[0] ? &sets[0] : nullptr, caller[1] ? &sets[1] : nullptr,
                         caller[2] ? &sets[2] : nullptr, &zero) > 0;
  }
  std::string what() const override {
    return fmt::format("a descriptor below {} in select()'s sets to be ready", n);
  }
};

// Parks until `w` is ready: false if its deadline passed first; throws if
// the trial was aborted.
bool park_until_ready(const sched::IoWait& w, const char* label) {
  while (!w.ready()) {
    sched::Steer& s = *sched::tls_steer;
    switch (s.controller->block_io(s.index, w, label)) {
      case WaitResult::woken:
        continue;
      case WaitResult::timed_out:
        return false;
      case WaitResult::aborted:
        throw ScheduleAborted();
    }
  }
  return true;
}

// The shape of every multiplexer: a point; a park until `w` is ready or its
// timeout passed; then the call with no timeout (which, after a timeout,
// clears what the caller's sets or revents say, as a call that timed out
// does), again while it finds nothing ready although the caller wanted to
// wait and its timeout did not pass (another process took what was there).
template <class Call>
int multiplex(sched::IoWait& w, std::int64_t timeout_ns, const char* label, Call call_now) {
  point(label);
  if (timeout_ns > 0) w.deadline_ns = sched::IoWait::now_ns() + timeout_ns;
  for (;;) {
    if (timeout_ns != 0 && !park_until_ready(w, label)) return call_now();
    const int rc = call_now();
    if (rc != 0 || timeout_ns == 0) return rc;
  }
}

}  // namespace

void fd_wait(int fd, bool out, bool dontwait, const char* label) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
    return;
  point(label);
  const int flags = ::fcntl(fd, F_GETFL);
  if (dontwait || flags < 0 || (flags & O_NONBLOCK) != 0) return;
  FdWait w;
  w.fd = pollfd{fd, static_cast<short>(out ? POLLOUT : POLLIN), 0};
  park_until_ready(w, label);
}

int poll(void* fds, unsigned long n, std::int64_t timeout_ns, const void* sigmask, bool has_mask) {
  // poll(nullptr, 0, ms): a sleep, and a sleep gives way (exports.cpp).
  if (n == 0 && timeout_ns >= 0) {
    yield(has_mask ? "ppoll" : "poll");
    return 0;
  }
  PollWait w;
  w.fds = static_cast<pollfd*>(fds);
  w.n = n;
  return multiplex(w, timeout_ns, has_mask ? "ppoll" : "poll", [&] {
    const timespec zero{};
    return has_mask ? real().ppoll(fds, n, &zero, sigmask) : real().poll(fds, n, 0);
  });
}

int select(int n, void* r, void* wr, void* e, std::int64_t timeout_ns, const void* sigmask,
           bool has_mask) {
  // select(0, nullptr, nullptr, nullptr, &tv): the old portable sleep.
  if ((n == 0 || (r == nullptr && wr == nullptr && e == nullptr)) && timeout_ns >= 0) {
    yield(has_mask ? "pselect" : "select");
    return 0;
  }
  SelectWait w;
  w.n = n;
  w.caller = {static_cast<fd_set*>(r), static_cast<fd_set*>(wr), static_cast<fd_set*>(e)};
  for (std::size_t k = 0; k < 3; ++k)
    if (w.caller[k] != nullptr) w.asked[k] = *w.caller[k];
  return multiplex(w, timeout_ns, has_mask ? "pselect" : "select", [&] {
    w.restore();
    timeval zero_tv{};
    const timespec zero_ts{};
    return has_mask ? real().pselect(n, r, wr, e, &zero_ts, sigmask)
                    : real().select(n, r, wr, e, &zero_tv);
  });
}

int epoll_wait(int epfd, void* events, int max, std::int64_t timeout_ns, const void* sigmask,
               bool has_mask) {
  // An epoll descriptor is readable while it has an event to report.
  FdWait w;
  w.fd = pollfd{epfd, POLLIN, 0};
  return multiplex(w, timeout_ns, has_mask ? "epoll_pwait" : "epoll_wait", [&] {
    return has_mask ? real().epoll_pwait(epfd, events, max, 0, sigmask)
                    : real().epoll_wait(epfd, events, max, 0);
  });
}

std::int64_t ms_timeout(int ms) { return ms < 0 ? -1 : std::int64_t{ms} * 1'000'000; }
std::int64_t ts_timeout(const timespec* t) {
  return t == nullptr ? -1 : std::int64_t{t->tv_sec} * 1'000'000'000 + t->tv_nsec;
}
std::int64_t tv_timeout(const void* tv) {
  if (tv == nullptr) return -1;
  const auto* t = static_cast<const timeval*>(tv);
  return std::int64_t{t->tv_sec} * 1'000'000'000 + std::int64_t{t->tv_usec} * 1'000;
}

}  // namespace strain::intercept
