#include "plugin/probe.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/errors.hpp"
#include "core/signal_text.hpp"
#include "plugin/loader.hpp"

namespace strain::plugin {

namespace {

std::size_t thread_count() {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

// The child: loads files[first...] in turn, writing one byte to `done_fd`
// after each, and leaves with _exit so that nothing of the host's (atexit
// handlers, static destructors, buffered output) runs twice.
[[noreturn]] void probe_child(const std::vector<std::string>& files, std::size_t first,
                              int done_fd) {
  // What a plugin prints while loading is printed again when the host loads
  // it; the probe's copy would only double it.
  if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
  }
  // Deadly signals kill the child as they would without a sanitizer, so the
  // parent can name the signal: a sanitizer's handler would report and exit
  // with its own status instead. The raw system call goes past the
  // sanitizers' sigaction interceptor; an all-zero kernel sigaction is
  // SIG_DFL with no flags and an empty mask whatever its layout.
  for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    const std::array<unsigned long, 8> dfl{};
    ::syscall(SYS_rt_sigaction, sig, dfl.data(), nullptr, sizeof(unsigned long));
  }
  // A plugin that calls exit() ends the child here, with its own status:
  // the exit handlers of the host's image have nothing to do in a probe.
  // Registered last, this runs first, and it leaves by the system call, not
  // _exit(): ThreadSanitizer intercepts _exit() and, for an exit from inside
  // dlopen(), dies with its own status instead.
  ::on_exit([](int status, void*) { ::syscall(SYS_exit_group, status); }, nullptr);
  for (std::size_t k = first; k < files.size(); ++k) {
    Catalog scratch;
    load_library(files[k], scratch);
    const char byte = 1;
    while (::write(done_fd, &byte, 1) < 0 && errno == EINTR) {
    }
  }
  ::_exit(0);
}

struct Outcome {
  std::size_t done = 0;    // files the child finished
  bool timed_out = false;  // killed for taking too long on the next one
  int status = 0;          // as waitpid() gives it
};

Outcome watch(pid_t pid, int done_fd, std::chrono::milliseconds limit) {
  Outcome o;
  for (;;) {
    pollfd p{done_fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(limit.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      ::kill(pid, SIGKILL);
      o.timed_out = true;
      break;
    }
    char buf[64];
    const ssize_t n = ::read(done_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child has gone (or closed its end)
    o.done += static_cast<std::size_t>(n);
  }
  while (::waitpid(pid, &o.status, 0) < 0 && errno == EINTR) {
  }
  return o;
}

}  // namespace

std::vector<std::string> probe_libraries(const std::vector<std::string>& files,
                                         std::chrono::milliseconds per_file_limit) {
  std::vector<std::string> problems(files.size());
  if (files.empty()) return problems;
  STRAIN_CHECK(thread_count() <= 1, "plugins are probed before any thread is started");
  std::size_t next = 0;
  while (next < files.size()) {
    // Without a child nothing can be tried, and loading untried files here
    // is what this function exists to avoid: the rest are reported instead.
    const auto cannot = [&](const char* what) {
      const std::string why =
          fmt::format("not loaded: cannot probe it ({}: {})", what, std::strerror(errno));
      for (std::size_t k = next; k < files.size(); ++k) problems[k] = why;
    };
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      cannot("pipe");
      break;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      cannot("fork");
      ::close(fds[0]);
      ::close(fds[1]);
      break;
    }
    if (pid == 0) {
      ::close(fds[0]);
      probe_child(files, next, fds[1]);
    }
    ::close(fds[1]);
    const Outcome o = watch(pid, fds[0], per_file_limit);
    ::close(fds[0]);
    next += o.done;
    if (next >= files.size()) break;  // every file loaded; how the child ended is moot
    std::string& why = problems[next];
    if (o.timed_out) {
      why = fmt::format("hung while loading (killed after {} s)",
                        std::chrono::duration<double>(per_file_limit).count());
    } else if (WIFSIGNALED(o.status)) {
      why = "crashed while loading: " + signal_text(WTERMSIG(o.status));
    } else {
      why = fmt::format("exited with status {} while loading", WEXITSTATUS(o.status));
    }
    ++next;  // skip the culprit; a new child takes up the rest
  }
  return problems;
}

}  // namespace strain::plugin
