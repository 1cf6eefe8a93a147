#include "core/spare_cores.hpp"

#include <dirent.h>

#include <cstdio>

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

// A process's threads in state R (`task`: "/proc/self/task" or
// "/proc/<pid>/task"): each /stat's third field, after the parenthesised
// name (which may hold spaces and parens).
int running_in(const char* task) {
  DIR* dir = ::opendir(task);
  if (dir == nullptr) return -1;
  int running = 0;
  char path[400], buf[512];  // a d_name holds up to 255 bytes
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::snprintf(path, sizeof path, "%s/%s/stat", task, e->d_name);
    if (!read_small_file(path, buf, sizeof buf)) continue;
    char state = 0;
    pid_t parent = 0;
    if (stat_state_and_parent(buf, state, parent) && state == 'R') ++running;
  }
  ::closedir(dir);
  return running;
}

}  // namespace

void sample_others_running(std::span<const pid_t> ours) noexcept {
  const int all = machine_running();
  int own = running_in("/proc/self/task");
  if (all < 0 || own < 0) return;
  for (const pid_t pid : ours) {
    if (pid <= 0) continue;
    char task[64];
    std::snprintf(task, sizeof task, "/proc/%d/task", static_cast<int>(pid));
    const int n = running_in(task);
    if (n > 0) own += n;  // a process that just ended has none to count
  }
  g_others_running.store(all > own ? all - own : 0, std::memory_order_relaxed);
}

}  // namespace strain::core
