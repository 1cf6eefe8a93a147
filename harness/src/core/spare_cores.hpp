#pragma once
// Whether a thread waiting for its team may spin, or must sleep at once:
// spinning answers a hand-off within a microsecond when the waiter has a
// core of its own, and takes the core from the thread it waits for when it
// has not. Measured on the 2-core CI machine (tests/bench/speed_bench, the
// trivial 2-role trial under `none`): spinning up to ~200 us before sleeping
// ran 520 k trials/s quiet and 0.7 k/s beside two busy loops; sleeping
// after ~2 us ran 77 k/s quiet and 129 k/s busy. So the waiters spin only
// while the machine has a core for each of them, which a watchdog thread
// samples (off the trial loop) from the kernel's count of runnable threads.

#include <sys/types.h>

#include <atomic>
#include <span>

namespace strain::core {

//! Runnable threads outside this process, as last sampled (0 until then).
inline std::atomic<int> g_others_running{0};

//! True when `team` threads of this process, and the runnable threads of
//! the others, fit the machine's cores: a waiter of the team may spin. The
//! hot path: one relaxed load.
inline bool spare_cores(unsigned team, unsigned cores) noexcept {
  return static_cast<unsigned>(g_others_running.load(std::memory_order_relaxed)) + team <= cores;
}

//! The cores this process may run on: its affinity mask's (taskset, a
//! container's cpuset), which std::thread::hardware_concurrency() ignores.
//! speed_bench under taskset -c 0 on the 2-core VM, quiet, counting the
//! machine's cores / the mask's: threads_none/2 14-45 k / 219-374 k
//! trials/s, processes_none/2 2.1-2.5 k / 253 k, threads_controlled/2
//! 10-12 k / 238 k (with the brief spin's adaptation). A system call:
//! once per team.
unsigned usable_cores() noexcept;

//! True when nothing outside this process (and its team) was runnable.
inline bool alone() noexcept { return g_others_running.load(std::memory_order_relaxed) == 0; }

//! Samples the runnable threads outside this process (and the processes
//! `ours`, a process team's roles) into g_others_running: /proc/loadavg's
//! count of runnable threads on the whole machine, less this process's
//! threads that are running or runnable (/proc/self/task/*/stat) and those
//! of `ours` (/proc/<pid>/task/*/stat), read before and after it. Leaves it unchanged when they
//! cannot be read (a container without /proc): the waiters then go on as before. Costs tens of
//! microseconds: call it from a watchdog, every 100 ms or so.
void sample_others_running(std::span<const pid_t> ours = {}) noexcept;

}  // namespace strain::core
