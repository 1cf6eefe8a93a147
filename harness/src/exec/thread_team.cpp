#include "exec/thread_team.hpp"

#include <sched.h>

#include <chrono>

#include "core/tsan_ignore.hpp"

namespace strain::exec {

namespace {
// No `pause` in the barrier's spin: under KVM, pause-loop exiting turns a
// pausing spinner into a VM exit that deschedules the vCPU. Measured on the
// 2-vCPU CI machine: 0.45 M trials/s with pause, 1.5 M without (team_bench).
inline void cpu_relax() noexcept { asm volatile("" ::: "memory"); }
// Spin this long before yielding, and yield this often before sleeping on a
// futex: spinning gives the tightest start, yielding lets a team larger than
// the core count make progress, the futex keeps long idle waits cheap.
constexpr int kSpins = 2000;
constexpr int kYields = 200;
}  // namespace

ThreadTeam::ThreadTeam(unsigned threads, Body body, Between between, void* arg)
    : n_(threads), body_(body), between_(between), arg_(arg), remaining_(threads) {
  threads_.reserve(n_);
  try {
    for (unsigned k = 0; k < n_; ++k) threads_.emplace_back([this, k] { worker(k); });
  } catch (...) {
    // The system refused a thread: end those started, or their std::thread
    // objects would terminate the process as the vector unwinds.
    stop_.store(true, std::memory_order_relaxed);
    release_next();
    for (auto& t : threads_) t.join();
    throw;
  }
}

ThreadTeam::~ThreadTeam() {
  if (abandoned_) {
    for (auto& t : threads_) t.detach();
    return;
  }
  stop_.store(true, std::memory_order_relaxed);
  release_next();
  for (auto& t : threads_) t.join();
}

void ThreadTeam::release_next() {
  generation_.fetch_add(1, std::memory_order_seq_cst);
  // Not hidden from TSan, unlike the sleep (see worker()): this runs between
  // trials, when every role has ended, so the edges it makes order nothing a
  // trial could race on.
  if (sleepers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();
}

void ThreadTeam::start() { release_next(); }

bool ThreadTeam::wait_done(double wait_s) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (!done_.load(std::memory_order_acquire)) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void ThreadTeam::worker(unsigned index) {
  std::uint64_t seen = 0;
  for (;;) {
    // The start barrier: wait for the next generation.
    int spins = 0;
    std::uint64_t g;
    while ((g = generation_.load(std::memory_order_acquire)) == seen) {
      if (spins < kSpins) {
        cpu_relax();
      } else if (spins < kSpins + kYields) {
        ::sched_yield();
      } else {
        // Hidden from TSan: to it, every read-modify-write of sleepers_ (and
        // of the waiter pool behind wait()) is an acquire and a release. A
        // role that finished first and went to sleep would release its
        // accesses there, and a thread that wakes later would acquire them
        // before running its role: a happens-before edge between two roles
        // of one trial, hiding their race. (Follows from TSan's model; not
        // caught in a run so far, the timing needs a thread slow to wake.)
        // The one edge a trial needs, from whoever released it, is the
        // acquire load of generation_ above.
        TsanIgnore hide;
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        generation_.wait(seen, std::memory_order_seq_cst);
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      }
      ++spins;
    }
    seen = g;
    if (stop_.load(std::memory_order_relaxed)) return;
    body_(arg_, index);
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      remaining_.store(n_, std::memory_order_relaxed);
      if (between_(arg_)) {
        release_next();
      } else {
        done_.store(true, std::memory_order_release);
      }
    }
  }
}

}  // namespace strain::exec
