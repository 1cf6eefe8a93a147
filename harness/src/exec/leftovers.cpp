#include "exec/leftovers.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace strain::exec {

// Every child of this process, from /proc (a child's ppid is our pid once
// re-parented to us as the subreaper).
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::FILE* f = std::fopen(("/proc/" + name + "/stat").c_str(), "r");
    if (f == nullptr) continue;
    char buf[512];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const char* close = std::strrchr(buf, ')');
    if (close == nullptr) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
      out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

// Ends what a case left behind once its worker is gone: the worker's process
// group (role processes, a plugin's plain children), then every process
// re-parented to strain, which is a subreaper, so a daemonised grandchild
// (fork, setsid, fork) comes back to it instead of to init. Each is killed
// and reaped; its own children then come to us in turn, hence the rounds.
void end_leftovers(pid_t worker_pgid) {
  ::kill(-worker_pgid, SIGKILL);
  for (int round = 0; round < 64; ++round) {
    const std::vector<pid_t> children = own_children();
    if (children.empty()) return;
    for (const pid_t c : children) {
      ::kill(c, SIGKILL);
      while (::waitpid(c, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
}

// strain is a subreaper for the whole run: what a plugin's processes leave
// behind when they exit is re-parented to strain, which ends it with the case.
void become_subreaper() {
  static const bool once = [] {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    return true;
  }();
  (void)once;
}

}  // namespace strain::exec
