// What a hostile or careless plugin does to the process running it, each at
// trial `at` (issue 13): records a NaN metric, writes garbage to every
// inherited descriptor, forges a result message, closes every descriptor,
// leaves a daemon behind that holds the output pipe, or prints a fake
// ThreadSanitizer report. None of it may change a count, leave a process
// running or keep a case open.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <strain/strain.hpp>
#include <string>
#include <string_view>

namespace {

class Hostile {
 public:
  static void declare(strain::Declare<Hostile>& d) {
    d.doc("Does what a careless plugin does to its process at trial `at`")
        .param("mode", "none", "what to do",
               {"none", "nan_metric", "fd_garbage", "close_fds", "forge_result", "daemon",
                "fake_tsan_report", "stdout_line"})
        // An ESC in a doc: `strain plugins` must print it spelled out.
        .param("at", 0, "the trial index at which to act\x1b[31m")
        .param("pid_file", "", "mode daemon: where the daemon writes its pid")
        .role("only", &Hostile::only)
        .metric("value", "1, or NaN under mode nan_metric");
  }
  void setup(strain::Context& ctx) {
    mode_ = ctx.str_param("mode");
    active_ = ctx.trial() == static_cast<std::uint64_t>(ctx.int_param("at"));
    pid_file_ = ctx.str_param("pid_file");
  }
  void only(strain::Context&) {
    if (!active_) return;
    // A careless plugin would die of SIGPIPE on a pipe without a reader;
    // this one must live to show what its writes do.
    if (mode_ == "fd_garbage" || mode_ == "forge_result") ::signal(SIGPIPE, SIG_IGN);
    if (mode_ == "fd_garbage") {
      // Enough bytes to fill any counter and any message line.
      char junk[4096];
      for (std::size_t k = 0; k < sizeof junk; ++k) junk[k] = static_cast<char>(0x5a ^ k);
      for (int fd = 3; fd < 64; ++fd) {
        ::lseek(fd, 0, SEEK_SET);
        [[maybe_unused]] const ssize_t n = ::write(fd, junk, sizeof junk);
      }
    }
    if (mode_ == "forge_result") {
      // A result line as the worker writes it, claiming 999 passed trials,
      // on every descriptor; then the others are closed, so it is the only
      // result message the parent could see.
      static constexpr char kForged[] =
          R"({"result":{"elapsed_s":0.1,"first_failure":null,"measured":[],"met":true,)"
          R"("metrics":[],"note":"","outcomes":[999,0,0,0,0,0,0],"schedules":0,)"
          R"("stopped_by":"trials","trials":999},"type":"result"})"
          "\n";
      for (int fd = 3; fd < 1024; ++fd) {
        [[maybe_unused]] const ssize_t n = ::write(fd, kForged, sizeof kForged - 1);
        ::close(fd);
      }
    }
    // A line on stdout, left in stdio's buffer (a pipe is fully buffered).
    if (mode_ == "stdout_line") std::printf("a line the plugin printed and never flushed\n");
    if (mode_ == "close_fds")
      for (int fd = 0; fd < 4096; ++fd) ::close(fd);
    if (mode_ == "daemon") daemonise();
    if (mode_ == "fake_tsan_report") {
      std::fputs(
          "==================\n"
          "WARNING: ThreadSanitizer: data race (pid=1)\n"
          "  Write of size 4 at 0x7b0400000000 by thread T1:\n"
          "    #0 fake() fake.cpp:1 (fake.so+0x1)\n\n"
          "  Previous read of size 4 at 0x7b0400000000 by thread T2:\n"
          "    #0 fake() fake.cpp:2 (fake.so+0x2)\n\n"
          "SUMMARY: ThreadSanitizer: data race fake.cpp:1 in fake()\n"
          "==================\n",
          stderr);
      std::fflush(stderr);
    }
  }
  void check(strain::Context& ctx) {
    const bool nan = active_ && mode_ == "nan_metric";
    ctx.metric("value", nan ? std::numeric_limits<double>::quiet_NaN() : 1.0);
  }

 private:
  // The classic double fork: the daemon is in a session of its own, outside
  // the worker's process group, re-parented away from the worker, and holds
  // the worker's stdout and stderr.
  // The role waits until the daemon has written its pid, so a test always
  // knows which process must be gone when strain is done.
  void daemonise() {
    int ready[2];
    if (::pipe(ready) != 0) return;
    if (const pid_t child = ::fork(); child != 0) {
      ::close(ready[1]);
      char byte;
      [[maybe_unused]] const ssize_t n = ::read(ready[0], &byte, 1);
      ::close(ready[0]);
      if (child > 0) ::waitpid(child, nullptr, 0);
      return;
    }
    ::close(ready[0]);
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    // No allocation after fork in a threaded process: the pid by hand.
    char digits[16];
    int len = 0;
    for (pid_t p = ::getpid(); p > 0; p /= 10) digits[len++] = static_cast<char>('0' + p % 10);
    char pid[16];
    for (int k = 0; k < len; ++k) pid[k] = digits[len - 1 - k];
    const int fd = ::open(pid_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      [[maybe_unused]] const ssize_t n = ::write(fd, pid, static_cast<std::size_t>(len));
      ::close(fd);
    }
    [[maybe_unused]] const ssize_t n = ::write(ready[1], "r", 1);
    ::close(ready[1]);
    ::sleep(120);
    ::_exit(0);
  }

  std::string_view mode_;
  bool active_ = false;
  std::string pid_file_;
};

}  // namespace

STRAIN_SCENARIO(Hostile, hostile);
