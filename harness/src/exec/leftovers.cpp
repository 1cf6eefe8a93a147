#include "exec/leftovers.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "core/proc_stat.hpp"

namespace strain::exec {

// Every child of this process, from /proc (a child's ppid is our pid once
// re-parented to us as the subreaper). Read twice a case over every process
// of the machine: with stdio and std::filesystem it was ~1 ms of a case's
// 14 ms on the CI machine (66 processes), so plain reads into the stack.
namespace {
std::atomic<pid_t> g_spared{-1};
}  // namespace

void spare_from_leftovers(pid_t child) { g_spared.store(child, std::memory_order_relaxed); }

std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  const pid_t spared = g_spared.load(std::memory_order_relaxed);
  const pid_t self = ::getpid();
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  char path[300], buf[512];  // a d_name holds up to 255 bytes
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    char state = 0;
    pid_t ppid = 0;
    if (core::read_small_file(path, buf, sizeof buf) &&
        core::stat_state_and_parent(buf, state, ppid) && ppid == self) {
      const auto pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid != spared) out.push_back(pid);
    }
  }
  ::closedir(dir);
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
