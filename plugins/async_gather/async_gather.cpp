// The chapter's "Basic asyncio": say_after(delay, what) awaits
// asyncio.sleep(delay) and prints `what`; main() gathers say_after(1,
// 'hello') and say_after(2, 'world'), which run concurrently, so the whole
// takes about 2 s, not 3, and 'hello' comes before 'world'. Here the event
// loop is a boost::asio::io_context, the coroutines are C++20 awaitables,
// gather is a parallel group over co_spawn, and asyncio.sleep is a timer.
//
// `tasks` coroutines run, their delays the chapter's 1 and 2 in turn
// (1, 2, 1, 2, ...), scaled by the spec's time_scale.
//
// Variants:
//  seed                the chapter as written (correct).
//  fixed               the same; kept so every plugin has seed/fixed.
//  bug_blocking_sleep  say_after calls a blocking sleep (time.sleep instead
//                      of await asyncio.sleep): it blocks the loop's only
//                      thread, the coroutines run one after the other, the
//                      total becomes the sum of the delays and the output
//                      comes in start order, not delay order.

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <thread>
#include <vector>

#include "loop.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

class AsyncGather {
 public:
  static void declare(strain::Declare<AsyncGather>& d) {
    d.doc("Chapter 'Basic asyncio': coroutines sleep concurrently under gather")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_blocking_sleep"})
        .param("tasks", 2, "say_after coroutines gathered (the chapter's two), 1 to 64")
        .param("delay_short_s", 1.0, "delay of tasks #0, #2, ... before time_scale")
        .param("delay_long_s", 2.0, "delay of tasks #1, #3, ... before time_scale")
        .role("main", &AsyncGather::main, "asyncio.run(main()): gathers the say_after coroutines")
        .metric("printed", "lines printed")
        .metric("out_of_order", "printed lines that follow a line of a longer delay")
        .metric("elapsed_s", "wall time of the gather, in seconds")
        .metric("max_delay_s", "longest delay after time_scale, in seconds")
        .metric("sum_delay_s", "sum of the delays after time_scale, in seconds")
        .metric("max_sleeping", "coroutines asleep at the same time, at most");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    blocking_ = v == "bug_blocking_sleep";
    const std::int64_t n = ctx.int_param("tasks");
    if (n < 1 || n > 64) throw std::invalid_argument("tasks must be in [1, 64]");
    delays_.clear();
    for (std::int64_t k = 0; k < n; ++k)
      delays_.push_back(
          (k % 2 == 0 ? ctx.num_param("delay_short_s") : ctx.num_param("delay_long_s")) *
          ctx.time_scale());
    printed_.clear();
    sleeping_ = max_sleeping_ = 0;
  }

  void main(strain::Context&) {
    strain_plugins::run_loop([this]() -> asio::awaitable<void> {
      const auto t0 = Clock::now();
      std::vector<asio::awaitable<void>> tasks;
      for (std::size_t k = 0; k < delays_.size(); ++k) tasks.push_back(say_after(k));
      const strain_plugins::Gathered g = co_await strain_plugins::gather(std::move(tasks));
      elapsed_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
      if (auto e = g.first_error()) std::rethrow_exception(e);
    });
  }

  void check(strain::Context& ctx) {
    double max_delay = 0, sum_delay = 0;
    for (double d : delays_) {
      max_delay = std::max(max_delay, d);
      sum_delay += d;
    }
    std::int64_t out_of_order = 0;
    for (std::size_t j = 1; j < printed_.size(); ++j)
      out_of_order += delays_[printed_[j]] < delays_[printed_[j - 1]];
    ctx.metric("printed", static_cast<std::int64_t>(printed_.size()));
    ctx.metric("out_of_order", out_of_order);
    ctx.metric("elapsed_s", elapsed_s_);
    ctx.metric("max_delay_s", max_delay);
    ctx.metric("sum_delay_s", sum_delay);
    ctx.metric("max_sleeping", max_sleeping_);
  }

 private:
  // async def say_after(delay, what): await asyncio.sleep(delay); print(what)
  asio::awaitable<void> say_after(std::size_t k) {
    const auto delay = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(delays_[k]));
    // Counted around the sleep: concurrency shown without a clock, so the
    // spec need not rest "concurrent, not serial" on wall time alone.
    max_sleeping_ = std::max(max_sleeping_, ++sleeping_);
    if (blocking_)
      std::this_thread::sleep_for(delay);  // the bug: time.sleep(delay) in a coroutine
    else
      co_await strain_plugins::async_sleep(delay);
    --sleeping_;
    printed_.push_back(k);  // one loop thread: the prints and counts need no lock
  }

  bool blocking_ = false;
  std::vector<double> delays_;
  std::vector<std::size_t> printed_;
  double elapsed_s_ = 0;
  std::int64_t sleeping_ = 0, max_sleeping_ = 0;
};

}  // namespace

STRAIN_SCENARIO(AsyncGather, async_gather);
