// Threads of ordinary C++ that talk through descriptors: a read of a pipe
// another thread writes, a poll or epoll_wait on an eventfd, a select, a
// socketpair, a poll that times out. Under strategy controlled one thread
// runs at a time: a read that blocked in the kernel would hold the turn the
// writer needs, so each of these waits is parked in the scheduler instead.
// Variants (params.variant):
//   pipe, eventfd_poll, epoll, select, socketpair, poll_timeout: pass.
//   sleeps: waits for a flag in a loop that sleeps 10 s by poll(nullptr, 0)
//     and by select() with no descriptor: a sleep gives way, so the flag is
//     set at once (a wait of 10 s of real time per turn would hang).
//   fork_child: forks while a started thread runs; the child locks a mutex
//     of its own and writes a byte to the parent through a pipe (its calls
//     are no trial's: they go to the C library).
//   early: a started thread writes an eventfd; the body polls it with no
//     timeout and expects nothing there yet: a violation when the write
//     runs first. early_block waits for it (passes): either order, two
//     interleavings for the exhaustive search.
//   torn_messages: two readers each read a two-byte message from one pipe
//     with two one-byte reads, so their reads can interleave and tear a
//     message ("ab" read as "a" + "b" by different readers): a violation
//     that the schedule finds. torn_messages_locked reads under a mutex.
//   pipe_deadlock: the reader holds the mutex the writer needs before it
//     writes: every thread blocked, one on a pipe: a hang whose report names
//     both waits.

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <strain/plugin.hpp>
#include <string>
#include <string_view>
#include <thread>

namespace {

struct Fds {
  int fd[2] = {-1, -1};
  ~Fds() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
};

std::string read_all(int fd, std::size_t want) {
  std::string got;
  char buf[8];
  while (got.size() < want) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

void pipe_case() {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  std::thread writer([&] {
    strain::expect(::write(p.fd[1], "ab", 2) == 2, "first write");
    strain::expect(::write(p.fd[1], "cd", 2) == 2, "second write");
  });
  const std::string got = read_all(p.fd[0], 4);
  writer.join();
  strain::expect(got == "abcd", "read what was written: '" + got + "'");
}

void eventfd_poll_case(bool use_epoll) {
  const int efd = ::eventfd(0, 0);
  strain::expect(efd >= 0, "eventfd");
  std::mutex m;
  int seen_by_writer = 0;
  std::thread writer([&] {
    {
      std::lock_guard<std::mutex> g(m);
      seen_by_writer = 1;
    }
    strain::expect(::eventfd_write(efd, 3) == 0, "eventfd_write");
  });
  if (use_epoll) {
    const int ep = ::epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = efd;
    strain::expect(::epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "epoll_ctl");
    epoll_event out{};
    const int n = ::epoll_wait(ep, &out, 1, -1);
    strain::expect(n == 1 && out.data.fd == efd, "epoll_wait reported the eventfd");
    ::close(ep);
  } else {
    pollfd p{efd, POLLIN, 0};
    const int n = ::poll(&p, 1, -1);
    strain::expect(n == 1 && (p.revents & POLLIN) != 0, "poll reported the eventfd readable");
  }
  eventfd_t value = 0;
  strain::expect(::eventfd_read(efd, &value) == 0 && value == 3, "eventfd_read read 3");
  writer.join();
  ::close(efd);
}

void early_case(bool block) {
  const int efd = ::eventfd(0, 0);
  std::thread writer([&] { ::eventfd_write(efd, 1); });
  const int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
  epoll_event out{};
  const int n = ::epoll_wait(ep, &out, 1, block ? -1 : 0);
  writer.join();
  strain::expect(block || n == 0, "the write came before the wait");
  ::close(ep);
  ::close(efd);
}

void select_case() {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  std::thread writer([&] { strain::expect(::write(p.fd[1], "x", 1) == 1, "write"); });
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.fd[0], &r);
  const int n = ::select(p.fd[0] + 1, &r, nullptr, nullptr, nullptr);
  strain::expect(n == 1 && FD_ISSET(p.fd[0], &r), "select reported the pipe readable");
  writer.join();
  strain::expect(read_all(p.fd[0], 1) == "x", "read the byte");
}

void socketpair_case() {
  Fds s;
  strain::expect(::socketpair(AF_UNIX, SOCK_STREAM, 0, s.fd) == 0, "socketpair");
  std::thread echo([&] {
    char c = 0;
    strain::expect(::recv(s.fd[1], &c, 1, 0) == 1, "echo recv");
    strain::expect(::send(s.fd[1], &c, 1, 0) == 1, "echo send");
  });
  strain::expect(::send(s.fd[0], "q", 1, 0) == 1, "send");
  char back = 0;
  strain::expect(::recv(s.fd[0], &back, 1, 0) == 1 && back == 'q', "the echo came back");
  echo.join();
}

void poll_timeout_case() {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  std::mutex m;
  int turns = 0;
  std::thread other([&] {
    for (int k = 0; k < 3; ++k) {
      std::lock_guard<std::mutex> g(m);
      ++turns;
    }
  });
  pollfd pf{p.fd[0], POLLIN, 0};
  const int n = ::poll(&pf, 1, 20);
  other.join();
  strain::expect(n == 0 && pf.revents == 0, "poll of a pipe nobody writes timed out");
  strain::expect(turns == 3, "the other thread ran");
}

void sleeps_case() {
  std::mutex m;
  bool flag = false;
  auto is_set = [&] {
    std::lock_guard<std::mutex> g(m);
    return flag;
  };
  std::thread setter([&] {
    std::lock_guard<std::mutex> g(m);
    flag = true;
  });
  for (int k = 0; !is_set(); ++k) {
    if (k % 2 == 0) {
      ::poll(nullptr, 0, 10'000);
    } else {
      timeval ten_s{10, 0};
      ::select(0, nullptr, nullptr, nullptr, &ten_s);
    }
  }
  setter.join();
}

void fork_child_case() {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  std::mutex m;
  int turns = 0;
  std::thread other([&] {
    std::lock_guard<std::mutex> g(m);
    ++turns;
  });
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child's own calls: a lock of a mutex nobody holds, a write.
    std::mutex mine;
    { std::lock_guard<std::mutex> g(mine); }
    ::_exit(::write(p.fd[1], "k", 1) == 1 ? 0 : 1);
  }
  char c = 0;
  const bool got = ::read(p.fd[0], &c, 1) == 1 && c == 'k';
  int status = -1;
  ::waitpid(pid, &status, 0);
  other.join();
  strain::expect(got, "the forked child's byte came through the pipe");
  strain::expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the forked child exited 0");
}

void torn_messages_case(bool locked) {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  strain::expect(::write(p.fd[1], "aabb", 4) == 4, "write the messages");
  std::mutex m;
  std::string got[2];
  auto reader = [&](int k) {
    std::unique_lock<std::mutex> g(m, std::defer_lock);
    if (locked) g.lock();
    for (int i = 0; i < 2; ++i) {
      char c = 0;
      if (::read(p.fd[0], &c, 1) == 1) got[k] += c;
    }
  };
  std::thread second(reader, 1);
  reader(0);
  second.join();
  for (const std::string& g : got)
    strain::expect(g == "aa" || g == "bb", "a reader read a whole message, not '" + g + "'");
}

void pipe_deadlock_case() {
  Fds p;
  strain::expect(::pipe(p.fd) == 0, "pipe");
  std::mutex m;
  std::thread writer([&] {
    std::lock_guard<std::mutex> g(m);
    strain::expect(::write(p.fd[1], "x", 1) == 1, "write");
  });
  {
    std::lock_guard<std::mutex> g(m);
    (void)read_all(p.fd[0], 1);
  }
  writer.join();
}

}  // namespace

STRAIN_TEST(io_waits, "pipe", "eventfd_poll", "epoll", "select", "socketpair", "poll_timeout",
            "sleeps", "early", "early_block", "fork_child", "torn_messages", "torn_messages_locked",
            "pipe_deadlock") {
  const std::string_view v = ctx.str_param("variant");
  if (v == "pipe") pipe_case();
  if (v == "eventfd_poll" || v == "epoll") eventfd_poll_case(v == "epoll");
  if (v == "select") select_case();
  if (v == "socketpair") socketpair_case();
  if (v == "poll_timeout") poll_timeout_case();
  if (v == "sleeps") sleeps_case();
  if (v == "fork_child") fork_child_case();
  if (v == "early" || v == "early_block") early_case(v == "early_block");
  if (v == "torn_messages" || v == "torn_messages_locked")
    torn_messages_case(v == "torn_messages_locked");
  if (v == "pipe_deadlock") pipe_deadlock_case();
}
