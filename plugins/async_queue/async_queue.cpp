// The chapter's "Asynchronous Queues": a producer coroutine puts ten items
// on an asyncio.Queue with random sleeps, then a None sentinel; two consumer
// coroutines get items, sleep a random time per item and call task_done();
// a consumer that gets None puts it back for the others and ends. main()
// awaits the producer, then gathers the consumers. Here the queue is an
// Asio concurrent channel, the loop an io_context that may be served by
// several threads (`loop_threads`), and the sleeps are timers scaled by the
// spec's time_scale.
//
// Variants:
//  seed                       the chapter as written. It is correct, but
//                             its task accounting is off: task_done() is not
//                             called for the sentinel, which every consumer
//                             puts back, so consumers + 1 puts stay
//                             unfinished and one sentinel stays queued:
//                             queue.join() would never return.
//  fixed                      one sentinel per consumer and a task_done()
//                             for every get(): nothing stays unfinished.
//  bug_sentinel_not_reposted  the first consumer to get the sentinel keeps
//                             it: the others wait in get() forever.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <strain/strain.hpp>
#include <vector>

#include "loop.hpp"

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, int)>;

constexpr int kNone = -1;  // the chapter's None
constexpr std::int64_t kMaxItems = 4096;
constexpr std::int64_t kMaxConsumers = 64;

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

class AsyncQueue {
 public:
  static void declare(strain::Declare<AsyncQueue>& d) {
    d.doc("Chapter 'Asynchronous Queues': a producer and consumers over an async queue")
        .param("variant", "fixed", "which code runs",
               {"seed", "fixed", "bug_sentinel_not_reposted"})
        .param("items", 10, "items produced (the chapter's ten), at most 4096")
        .param("consumers", 2, "consumer coroutines (the chapter's two), 1 to 64")
        .param("loop_threads", 1, "threads serving the event loop (asyncio has one)")
        .param("produce_s", 1.0, "the producer sleeps random() * produce_s after each put")
        .param("consume_s", 2.0, "a consumer sleeps random() * consume_s per item")
        .role("main", &AsyncQueue::main, "asyncio.run(main()): a producer and the consumers")
        .metric("consumed", "items consumed, over all consumers")
        .metric("duplicates", "extra consumptions of an item already consumed")
        .metric("missing", "items never consumed")
        .metric("consumers_ended", "consumers that returned")
        .metric("unfinished", "puts without a matching task_done() at the end")
        .metric("leftover", "entries still queued at the end");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed" ? Variant::seed : v == "fixed" ? Variant::fixed : Variant::no_repost;
    items_ = ctx.int_param("items");
    consumers_ = ctx.int_param("consumers");
    loop_threads_ = static_cast<int>(ctx.int_param("loop_threads"));
    if (items_ < 0 || items_ > kMaxItems) throw std::invalid_argument("items must be in [0, 4096]");
    if (consumers_ < 1 || consumers_ > kMaxConsumers)
      throw std::invalid_argument("consumers must be in [1, 64]");
    if (loop_threads_ < 1 || loop_threads_ > 16)
      throw std::invalid_argument("loop_threads must be in [1, 16]");
    // random.random() per sleep, drawn here from the trial's generator so a
    // replay sleeps the same; scaled like every sleep of the chapter.
    produce_sleep_.clear();
    consume_sleep_.clear();
    for (std::int64_t k = 0; k < items_; ++k) {
      produce_sleep_.push_back(
          seconds(ctx.rng().real() * ctx.num_param("produce_s") * ctx.time_scale()));
      consume_sleep_.push_back(
          seconds(ctx.rng().real() * ctx.num_param("consume_s") * ctx.time_scale()));
    }
    for (auto& c : consumed_) c.store(0, std::memory_order_relaxed);
    ended_.store(0);
    unfinished_.store(0);
    leftover_ = 0;
  }

  void main(strain::Context&) {
    strain_plugins::run_loop(
        [this]() -> asio::awaitable<void> {
          // asyncio.Queue() is unbounded: room for every put the run makes.
          Channel queue(co_await asio::this_coro::executor,
                        static_cast<std::size_t>(items_ + 2 * consumers_ + 2));
          // producer_task = create_task(producer(queue)); consumer tasks;
          // await producer_task; await gather(*consumer_tasks)
          co_await (producer(queue) && consume_all(queue));
          int item = 0;
          while (queue.try_receive([&](boost::system::error_code, int v) { item = v; }))
            ++leftover_;
          (void)item;
        },
        loop_threads_);
  }

  void check(strain::Context& ctx) {
    std::int64_t consumed = 0, duplicates = 0, missing = 0;
    for (std::int64_t k = 0; k < items_; ++k) {
      const std::int32_t c = consumed_[k].load(std::memory_order_relaxed);
      consumed += c;
      duplicates += c > 1 ? c - 1 : 0;
      missing += c == 0;
    }
    ctx.metric("consumed", consumed);
    ctx.metric("duplicates", duplicates);
    ctx.metric("missing", missing);
    ctx.metric("consumers_ended", static_cast<std::int64_t>(ended_.load()));
    ctx.metric("unfinished", static_cast<std::int64_t>(unfinished_.load()));
    ctx.metric("leftover", leftover_);
  }

 private:
  enum class Variant { seed, fixed, no_repost };

  asio::awaitable<void> put(Channel& q, int item) {
    unfinished_.fetch_add(1);  // asyncio.Queue counts every put until its task_done()
    co_await q.async_send(boost::system::error_code{}, item, asio::use_awaitable);
  }

  asio::awaitable<void> producer(Channel& q) {
    for (std::int64_t k = 0; k < items_; ++k) {
      co_await put(q, static_cast<int>(k));
      co_await strain_plugins::async_sleep(produce_sleep_[k]);
    }
    // The chapter puts one None; the fix puts one per consumer.
    const std::int64_t sentinels = variant_ == Variant::fixed ? consumers_ : 1;
    for (std::int64_t k = 0; k < sentinels; ++k) co_await put(q, kNone);
  }

  asio::awaitable<void> consumer(Channel& q) {
    for (;;) {
      const int item = co_await q.async_receive(asio::use_awaitable);
      if (item == kNone) {
        if (variant_ == Variant::fixed) {
          unfinished_.fetch_sub(1);  // task_done() for the sentinel too
        } else if (variant_ == Variant::seed) {
          co_await put(q, kNone);  // "signal to other consumers"
        }
        break;
      }
      consumed_[item].fetch_add(1, std::memory_order_relaxed);
      co_await strain_plugins::async_sleep(consume_sleep_[item]);
      unfinished_.fetch_sub(1);  // queue.task_done()
    }
    ended_.fetch_add(1);
  }

  asio::awaitable<void> consume_all(Channel& q) {
    std::vector<asio::awaitable<void>> tasks;
    for (std::int64_t k = 0; k < consumers_; ++k) tasks.push_back(consumer(q));
    const strain_plugins::Gathered g = co_await strain_plugins::gather(std::move(tasks));
    if (auto e = g.first_error()) std::rethrow_exception(e);
  }

  Variant variant_ = Variant::fixed;
  std::int64_t items_ = 0, consumers_ = 0, leftover_ = 0;
  int loop_threads_ = 1;
  std::vector<std::chrono::nanoseconds> produce_sleep_, consume_sleep_;
  std::atomic<std::int32_t> consumed_[kMaxItems];  // atomic: loop_threads > 1 consume in parallel
  std::atomic<std::int32_t> ended_{0};
  std::atomic<std::int32_t> unfinished_{0};
};

}  // namespace

STRAIN_SCENARIO(AsyncQueue, async_queue);
