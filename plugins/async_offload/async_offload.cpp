// The chapter's "Combining asyncio with Threading or Multiprocessing":
// cpu_bound_task(n) sums i * i for i < n; main() hands the chapter's four
// numbers to loop.run_in_executor(ProcessPoolExecutor(), ...) and gathers
// the futures, so the event loop stays free while other processes compute.
// Here the executor is strain::ProcessPool (forked workers), the loop an
// io_context, and run_in_executor a waiter thread that blocks on the pool's
// future and hands the result back to the loop through a concurrent
// channel (plugins/common/offload.hpp). A heartbeat
// coroutine ticks on the loop meanwhile; the longest gap between its ticks
// shows whether the loop stayed responsive.
//
// Variants:
//  seed             the chapter as written (correct).
//  fixed            the same; kept so every plugin has seed/fixed.
//  bug_cpu_on_loop  the coroutines call cpu_bound_task themselves, on the
//                   loop's thread: the results are right, but the loop (and
//                   the heartbeat) stops for as long as each task runs.

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <strain/process_pool.hpp>
#include <strain/strain.hpp>
#include <vector>

#include "loop.hpp"
#include "offload.hpp"

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

struct Task {
  std::uint64_t n;
};
struct Sum {
  std::uint64_t value;  // the sum modulo 2^64 (Python's is exact; the check is too)
  double seconds;       // how long the task computed, where it ran
};

// def cpu_bound_task(n): result = 0; for i in range(n): result += i * i
Sum cpu_bound_task(const Task& t) {
  const auto t0 = Clock::now();
  std::uint64_t result = 0;
  for (std::uint64_t i = 0; i < t.n; ++i) {
    result += i * i;
    // Keeps the loop a loop: without it clang replaces it by its closed
    // form and there is no CPU work left to offload.
    asm volatile("" : "+r"(result));
  }
  return {result, std::chrono::duration<double>(Clock::now() - t0).count()};
}

// sum(i * i for i in range(n)) = (n - 1) n (2n - 1) / 6, modulo 2^64.
std::uint64_t closed_form(std::uint64_t n) {
  if (n == 0) return 0;
  __extension__ using u128 = unsigned __int128;
  const u128 m = n;
  return static_cast<std::uint64_t>((m - 1) * m * (2 * m - 1) / 6);
}

constexpr std::size_t kMaxNumbers = 32;

class AsyncOffload {
 public:
  static void declare(strain::Declare<AsyncOffload>& d) {
    d.doc(
         "Chapter 'Combining asyncio with multiprocessing': CPU work in a process pool, the "
         "event loop stays responsive")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_cpu_on_loop"})
        .param("numbers", 4,
               "tasks: n = base, 2 base, 3 base, ... (the chapter's four), at most 32")
        .param("base", 10000000, "the first number (the chapter's 10000000)")
        .param("workers", 2, "processes of the pool (0: one per CPU, as ProcessPoolExecutor())")
        .param("heartbeat_ms", 5, "the heartbeat coroutine's period, in milliseconds")
        .role("main", &AsyncOffload::main, "asyncio.run(main()): offloads and gathers the tasks")
        .metric("right", "results equal to the closed form (n-1)n(2n-1)/6")
        .metric("task_max_s", "the longest task's compute time, in seconds")
        .metric("heartbeat_max_gap_s", "the longest gap between heartbeat ticks, in seconds")
        .metric("heartbeats", "heartbeat ticks while the tasks ran")
        .metric("elapsed_s", "wall time of the gather, in seconds");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    on_loop_ = v == "bug_cpu_on_loop";
    const std::int64_t count = ctx.int_param("numbers"), base = ctx.int_param("base");
    if (count < 1 || count > static_cast<std::int64_t>(kMaxNumbers) || base < 0)
      throw std::invalid_argument("numbers must be in [1, 32] and base >= 0");
    numbers_.clear();
    for (std::int64_t k = 1; k <= count; ++k)
      numbers_.push_back(static_cast<std::uint64_t>(k * base));
    results_.assign(numbers_.size(), Sum{0, 0});
    errors_ = 0;
    max_gap_s_ = 0;
    beats_ = 0;
  }

  void main(strain::Context& ctx) {
    const auto period = std::chrono::milliseconds(ctx.int_param("heartbeat_ms"));
    // with concurrent.futures.ProcessPoolExecutor() as executor: made before
    // the loop's threads, so the workers are forked from a quiet process.
    strain::PoolOptions options;
    options.workers = static_cast<unsigned>(ctx.int_param("workers"));
    strain::ProcessPool<Task, Sum> executor(&cpu_bound_task, options);
    strain_plugins::run_loop([&]() -> asio::awaitable<void> {
      last_beat_ = Clock::now();
      co_await (heartbeat(period) || gather_all(executor));
    });
  }

  void check(strain::Context& ctx) {
    std::int64_t right = 0;
    double task_max = 0;
    for (std::size_t k = 0; k < numbers_.size(); ++k) {
      right += results_[k].value == closed_form(numbers_[k]);
      task_max = std::max(task_max, results_[k].seconds);
    }
    ctx.metric("right", right - errors_);
    ctx.metric("task_max_s", task_max);
    ctx.metric("heartbeat_max_gap_s", max_gap_s_);
    ctx.metric("heartbeats", beats_);
    ctx.metric("elapsed_s", elapsed_s_);
  }

 private:
  void beat() {
    const auto now = Clock::now();
    max_gap_s_ = std::max(max_gap_s_, std::chrono::duration<double>(now - last_beat_).count());
    last_beat_ = now;
  }

  // Ticks until cancelled (the || ends it when the gather is done).
  asio::awaitable<void> heartbeat(std::chrono::milliseconds period) {
    for (;;) {
      co_await strain_plugins::async_sleep(period);
      beat();
      ++beats_;
    }
  }

  asio::awaitable<void> gather_all(strain::ProcessPool<Task, Sum>& executor) {
    const auto t0 = Clock::now();
    if (on_loop_) {
      // The bug: the coroutines compute on the loop's thread themselves.
      std::vector<asio::awaitable<void>> tasks;
      for (std::size_t k = 0; k < numbers_.size(); ++k)
        tasks.push_back([](AsyncOffload* self, std::size_t k) -> asio::awaitable<void> {
          self->results_[k] = cpu_bound_task(Task{self->numbers_[k]});
          co_return;
        }(this, k));
      co_await strain_plugins::gather(std::move(tasks));
    } else {
      // futures = [loop.run_in_executor(executor, cpu_bound_task, num) ...]
      std::vector<strain::Future<Sum>> futures;
      for (const std::uint64_t n : numbers_) futures.push_back(executor.submit(Task{n}));
      // results = await asyncio.gather(*futures)
      const auto outcomes = co_await strain_plugins::await_all(std::move(futures));
      for (std::size_t k = 0; k < outcomes.size(); ++k) {
        if (outcomes[k].error)
          ++errors_;
        else
          results_[k] = outcomes[k].value;
      }
    }
    // A gap that lasts until the end counts too, though no tick ends it.
    beat();
    elapsed_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
  }

  bool on_loop_ = false;
  std::vector<std::uint64_t> numbers_;
  std::vector<Sum> results_;
  std::int64_t errors_ = 0, beats_ = 0;
  Clock::time_point last_beat_{};
  double max_gap_s_ = 0, elapsed_s_ = 0;
};

}  // namespace

STRAIN_SCENARIO(AsyncOffload, async_offload);
