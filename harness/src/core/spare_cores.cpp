#include "core/spare_cores.hpp"

#include <dirent.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "core/proc_stat.hpp"

namespace strain::core {

namespace {

// "0.52 0.58 0.59 3/250 12345": the fourth field's numerator, the threads
// running or runnable right now (the reader among them).
int machine_running() {
  char buf[256];
  if (!read_small_file("/proc/loadavg", buf, sizeof buf)) return -1;
  double a, b, c;
  int running = 0, total = 0;
  if (std::sscanf(buf, "%lf %lf %lf %d/%d", &a, &b, &c, &running, &total) != 5) return -1;
  return running;
}

// The threads in state R of a process (`task`: "/proc/self/task" or
// "/proc/<pid>/task"), added to `out`: each /stat's third field, after the
// parenthesised name (which may hold spaces and parens). False when `task`
// cannot be read.
bool running_in(const char* task, std::vector<pid_t>& out) {
  DIR* dir = ::opendir(task);
  if (dir == nullptr) return false;
  char path[400], buf[512];  // a d_name holds up to 255 bytes
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::snprintf(path, sizeof path, "%s/%s/stat", task, e->d_name);
    if (!read_small_file(path, buf, sizeof buf)) continue;
    char state = 0;
    pid_t parent = 0;
    if (stat_state_and_parent(buf, state, parent) && state == 'R')
      out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  ::closedir(dir);
  return true;
}

// The running threads of this process and of `ours`.
bool running_of_ours(std::span<const pid_t> ours, std::vector<pid_t>& out) {
  if (!running_in("/proc/self/task", out)) return false;
  for (const pid_t pid : ours) {
    if (pid <= 0) continue;
    char task[64];
    std::snprintf(task, sizeof task, "/proc/%d/task", static_cast<int>(pid));
    (void)running_in(task, out);  // a process that just ended has none to count
  }
  return true;
}

}  // namespace

unsigned usable_cores() noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());  // more than 1024 CPUs, say
}

// Our threads are read before and after the machine's count, and one that
// ran at either look counts as ours: a team that sleeps and wakes every
// trial flips between R and S faster than the three reads, and read once,
// a member running at the machine's count but asleep at its own read was
// taken for another program's thread. That sent the process topology's
// waiters to sleep on a quiet machine in about one run of two (speed_bench
// processes_none/2: 86-93 k trials/s instead of 540-700 k).
void sample_others_running(std::span<const pid_t> ours) noexcept {
  try {
    std::vector<pid_t> own;
    if (!running_of_ours(ours, own)) return;
    const int all = machine_running();
    if (all < 0 || !running_of_ours(ours, own)) return;
    std::sort(own.begin(), own.end());
    const auto n = static_cast<int>(std::unique(own.begin(), own.end()) - own.begin());
    g_others_running.store(all > n ? all - n : 0, std::memory_order_relaxed);
  } catch (const std::bad_alloc&) {
    // Leaves the last sample: the waiters go on as before.
  }
}

}  // namespace strain::core
