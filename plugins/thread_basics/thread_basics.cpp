// The chapter's "Basic Threading" example: task(name, delay) prints that it
// started, sleeps `delay` (simulated I/O) and prints that it completed; two
// threads (delays 2 and 1) are started and joined. Each role instance `task`
// is one such thread; instance k sleeps the chapter's delays in turn
// (2, 1, 2, 1, ...), so two tasks are exactly the chapter's program.
//
// Variants:
//  seed            the chapter's code as written (it is correct: every thread
//                  is joined, nothing is shared but the console).
//  fixed           the same; kept so every plugin has seed/fixed/bug variants.
//  bug_detached    task #0 hands its work to a std::thread it detaches and
//                  returns at once: "joining" it no longer waits for the work,
//                  so the trial ends (check runs) before that task completed.
//  bug_serialized  every task holds one shared lock across its sleep
//                  (blocking I/O under a lock): the threads run one after the
//                  other and the wall time becomes the sum of the delays.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <string_view>
#include <thread>

namespace {

// Fixed arrays rather than std::vector: the state holds no heap pointer of
// its own (only bug_detached's deliberately heap-held counters).
constexpr std::uint32_t kMaxTasks = 64;

// Where the detached work of bug_detached records its progress. It lives on
// the heap, owned jointly by the trial's state and the detached thread, so
// the thread never touches the state after the trial destroyed it: without
// this the detached write would be a use-after-free into the state's memory,
// which the harness reuses for the next trial. This way the program stays
// well-defined and only its logic is wrong, which is what the case shows.
struct DetachedProgress {
  std::atomic<std::int32_t> started{0};
  std::atomic<std::int32_t> completed{0};
};

class ThreadBasics {
 public:
  static void declare(strain::Declare<ThreadBasics>& d) {
    d.doc("Chapter 'Basic Threading': tasks sleep concurrently and are joined")
        .param("variant", "fixed", "which code runs",
               {"seed", "fixed", "bug_detached", "bug_serialized"})
        .param("delay_long_s", 2.0,
               "delay of tasks #0, #2, ... (the chapter's Thread-1: 2 s), before time_scale")
        .param("delay_short_s", 1.0,
               "delay of tasks #1, #3, ... (the chapter's Thread-2: 1 s), before time_scale")
        .role("task", &ThreadBasics::task,
              "task(name, delay): 'started', sleep(delay), 'completed'; at most 64 instances")
        .metric("tasks", "how many task threads ran")
        .metric("started", "'started' lines, over all tasks")
        .metric("completed", "'completed' lines, over all tasks, by the time the tasks were joined")
        .metric("once", "tasks that started exactly once and completed exactly once")
        .metric("max_concurrent",
                "most tasks inside their sleep (the simulated I/O) at one moment: 1 means they "
                "ran one after the other")
        .metric("elapsed_s", "wall time from setup to check (all tasks joined), in seconds")
        .metric("max_delay_s", "longest task delay after time_scale, in seconds")
        .metric("sum_delay_s", "sum of the task delays after time_scale, in seconds");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "bug_detached"     ? Variant::bug_detached
               : v == "bug_serialized" ? Variant::bug_serialized
                                       : Variant::plain;
    tasks_ = ctx.instances_of(0);
    if (tasks_ > kMaxTasks)
      throw std::invalid_argument("thread_basics runs at most " + std::to_string(kMaxTasks) +
                                  " tasks, got " + std::to_string(tasks_));
    delay_long_s_ = ctx.num_param("delay_long_s");
    delay_short_s_ = ctx.num_param("delay_short_s");
    if (variant_ == Variant::bug_detached) detached_ = std::make_shared<DetachedProgress>();
    start_ = std::chrono::steady_clock::now();
  }

  void task(strain::Context& ctx) {
    const std::uint32_t k = ctx.instance();
    const double delay = delay_of(k);
    if (variant_ == Variant::bug_detached && k == 0) {
      // The detached work is slower than every joined task (its delay plus
      // the longest one), as unwatched work often is, so the joined tasks
      // end and check runs while it is still sleeping: the incomplete task
      // is seen in practically every trial. The thread must not use ctx
      // (it belongs to this role thread, which moves on to the next trial),
      // so it sleeps the scaled time itself.
      const auto work = std::chrono::duration<double>((delay + delay_long_s_) * ctx.time_scale());
      std::thread([progress = detached_, work] {
        progress->started.fetch_add(1, std::memory_order_relaxed);
        std::this_thread::sleep_for(work);
        progress->completed.fetch_add(1, std::memory_order_relaxed);
      }).detach();
      return;
    }
    started_[k].fetch_add(1, std::memory_order_relaxed);  // print(f"{name} started")
    if (variant_ == Variant::bug_serialized) {
      std::lock_guard<strain::Mutex> guard(io_lock_);
      simulated_io(ctx, delay);
    } else {
      simulated_io(ctx, delay);  // time.sleep(delay): simulated I/O
    }
    completed_[k].fetch_add(1, std::memory_order_relaxed);  // print(f"{name} completed")
  }

  void check(strain::Context& ctx) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::int64_t started = 0, completed = 0, once = 0;
    double max_delay = 0, sum_delay = 0;
    for (std::uint32_t k = 0; k < tasks_; ++k) {
      std::int32_t s = started_[k].load(std::memory_order_relaxed);
      std::int32_t c = completed_[k].load(std::memory_order_relaxed);
      if (variant_ == Variant::bug_detached && k == 0) {
        s += detached_->started.load(std::memory_order_relaxed);
        c += detached_->completed.load(std::memory_order_relaxed);
      }
      started += s;
      completed += c;
      if (s == 1 && c == 1) ++once;
      max_delay = std::max(max_delay, delay_of(k));
      sum_delay += delay_of(k);
    }
    ctx.metric("tasks", static_cast<std::int64_t>(tasks_));
    ctx.metric("started", started);
    ctx.metric("completed", completed);
    ctx.metric("once", once);
    ctx.metric("max_concurrent", static_cast<std::int64_t>(max_sleeping_.load()));
    ctx.metric("elapsed_s", elapsed);
    ctx.metric("max_delay_s", max_delay * ctx.time_scale());
    ctx.metric("sum_delay_s", sum_delay * ctx.time_scale());
  }

 private:
  enum class Variant { plain, bug_detached, bug_serialized };

  // The sleep, counting how many tasks are inside it at once. The count shows
  // concurrency without a clock: on a loaded machine a wall-time bound can be
  // broken by one stalled thread, but tasks that run one after the other
  // never overlap, and tasks that run concurrently almost always do.
  void simulated_io(strain::Context& ctx, double delay) {
    const std::int32_t now = sleeping_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::int32_t seen = max_sleeping_.load(std::memory_order_relaxed);
    while (now > seen && !max_sleeping_.compare_exchange_weak(seen, now)) {
    }
    ctx.sleep(delay);
    sleeping_.fetch_sub(1, std::memory_order_relaxed);
  }

  // The chapter's delays in turn: Thread-1 sleeps 2 s, Thread-2 sleeps 1 s.
  double delay_of(std::uint32_t k) const { return k % 2 == 0 ? delay_long_s_ : delay_short_s_; }

  Variant variant_ = Variant::plain;
  std::uint32_t tasks_ = 0;
  double delay_long_s_ = 0, delay_short_s_ = 0;
  std::chrono::steady_clock::time_point start_{};
  std::atomic<std::int32_t> started_[kMaxTasks];  // C++20: zero-initialised
  std::atomic<std::int32_t> completed_[kMaxTasks];
  std::atomic<std::int32_t> sleeping_{0}, max_sleeping_{0};
  strain::Mutex io_lock_;
  std::shared_ptr<DetachedProgress> detached_;
};

}  // namespace

STRAIN_SCENARIO(ThreadBasics, thread_basics);
