// The chapter's "Thread Communication with Queue" example: a producer puts
// `items` work items on a task queue, then a sentinel (None); consumers take
// items, "process" them (sleep random()*2) and put a result on a result
// queue. A consumer that gets the sentinel puts it back for the next consumer
// and stops. Items are ids 0..items-1 (the chapter's f"Task {i}"), the
// sentinel is -1, so both queues are strain::Queue of a trivially copyable
// int64 and the whole state can live in shared memory (process topology).
//
// Variants:
//  seed                       the chapter's code as written. Finding: it calls
//                             task_done() for items but not for the sentinel,
//                             and every consumer re-posts the sentinel, so the
//                             task queue ends with consumers + 1 unfinished
//                             entries (metric `unfinished`) and one leftover
//                             sentinel: task_queue.join() would never return.
//                             The chapter never calls join() (it joins the
//                             threads), so no failure follows from it.
//  fixed                      the producer posts one sentinel per consumer,
//                             consumers call task_done() for every get()
//                             (sentinels included) and do not re-post, and the
//                             producer ends with task_queue.join(), which now
//                             returns: nothing is left unfinished.
//  bug_sentinel_not_reposted  a consumer that gets the sentinel stops without
//                             putting it back: the other consumers block in
//                             get() forever (a hang).
//  bug_empty_check            consumers loop `while not task_queue.empty():
//                             get_nowait()`: a check on a snapshot. A consumer
//                             that finds the queue momentarily empty (the
//                             producer is sleeping) quits, so items are never
//                             consumed.

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string>
#include <string_view>

namespace {

// The chapter's queue.Queue() is unbounded; strain::Queue stores its items
// inline (for shared memory), so it has a fixed capacity. setup() requires
// items + consumers <= kCapacity: then every push fits (the task queue never
// holds more than the items plus one sentinel per consumer), and a bounded
// queue never blocks where the unbounded original would not.
constexpr std::size_t kCapacity = 256;
constexpr std::int64_t kSentinel = -1;  // the chapter's None

class QueuePipeline {
 public:
  static void declare(strain::Declare<QueuePipeline>& d) {
    d.doc("Chapter 'Thread Communication with Queue': a producer and consumers over a task queue")
        .param("variant", "fixed", "which code runs",
               {"seed", "fixed", "bug_sentinel_not_reposted", "bug_empty_check"})
        .param("items", 10, "work items produced (the chapter: 10); items + consumers <= 256")
        .param("produce_s", 1.0,
               "upper bound of the producer's time.sleep(random()) per item, before time_scale")
        .param("process_s", 2.0,
               "upper bound of the consumer's time.sleep(random() * 2) per item, before "
               "time_scale")
        .role("producer", &QueuePipeline::producer,
              "producer(): puts item ids on the task queue, then the sentinel")
        .role("consumer", &QueuePipeline::consumer,
              "consumer(): get(), process, put the result, task_done(); stops on the sentinel")
        .metric("produced", "items the producer put on the task queue")
        .metric("consumers", "how many consumers ran")
        .metric("consumers_ended", "consumers that returned from their loop")
        .metric("results", "results on the result queue at the end")
        .metric("duplicates",
                "extra consumptions: items consumed more than once, counted per extra")
        .metric("missing", "items never consumed")
        .metric("unfinished", "task queue puts not matched by a task_done() (join() waits for 0)")
        .metric("leftover", "entries still on the task queue at the end (e.g. the last sentinel)");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed"                        ? Variant::seed
               : v == "bug_sentinel_not_reposted" ? Variant::bug_sentinel_not_reposted
               : v == "bug_empty_check"           ? Variant::bug_empty_check
                                                  : Variant::fixed;
    items_ = ctx.int_param("items");
    consumers_ = ctx.instances_of(1);
    if (items_ < 0 || items_ + consumers_ > static_cast<std::int64_t>(kCapacity))
      throw std::invalid_argument(
          "queue_pipeline needs 0 <= items and items + consumers <= " + std::to_string(kCapacity) +
          " (the queues' fixed capacity), got items=" + std::to_string(items_) +
          ", consumers=" + std::to_string(consumers_));
    produce_s_ = ctx.num_param("produce_s");
    process_s_ = ctx.num_param("process_s");
  }

  void producer(strain::Context& ctx) {
    for (std::int64_t i = 0; i < items_; ++i) {
      put_task(i);
      ctx.sleep(ctx.rng().real() * produce_s_);
    }
    if (variant_ != Variant::fixed) {
      put_task(kSentinel);  // Signal no more items
      return;
    }
    for (std::int64_t c = 0; c < consumers_; ++c) put_task(kSentinel);
    tasks_.join();  // returns only because every get() is matched by a task_done()
  }

  void consumer(strain::Context& ctx) {
    if (variant_ == Variant::bug_empty_check) {
      while (tasks_.size() != 0) {  // while not task_queue.empty():
        const auto item = tasks_.try_pop();
        if (!item) break;
        if (*item == kSentinel) {
          put_task(kSentinel);
          break;
        }
        process(ctx, *item);
        task_done();
      }
      consumers_ended_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    for (;;) {
      const std::int64_t item = tasks_.pop();
      if (item == kSentinel) {
        if (variant_ == Variant::fixed) task_done();         // each consumer has its own sentinel
        if (variant_ == Variant::seed) put_task(kSentinel);  // for the next consumer
        break;
      }
      process(ctx, item);
      task_done();  // task_queue.task_done()
    }
    consumers_ended_.fetch_add(1, std::memory_order_relaxed);
  }

  void check(strain::Context& ctx) {
    std::int64_t duplicates = 0, missing = 0;
    for (std::int64_t i = 0; i < items_; ++i) {
      const std::int32_t n = consumed_[i].load(std::memory_order_relaxed);
      if (n == 0) ++missing;
      if (n > 1) duplicates += n - 1;
    }
    std::int64_t results = 0;
    while (results_.try_pop()) ++results;  // while not result_queue.empty(): get()
    std::int64_t leftover = 0;
    while (tasks_.try_pop()) ++leftover;
    ctx.metric("produced", produced_.load(std::memory_order_relaxed));
    ctx.metric("consumers", consumers_);
    ctx.metric("consumers_ended", consumers_ended_.load(std::memory_order_relaxed));
    ctx.metric("results", results);
    ctx.metric("duplicates", duplicates);
    ctx.metric("missing", missing);
    ctx.metric("unfinished",
               puts_.load(std::memory_order_relaxed) - dones_.load(std::memory_order_relaxed));
    ctx.metric("leftover", leftover);
  }

 private:
  enum class Variant { seed, fixed, bug_sentinel_not_reposted, bug_empty_check };

  void put_task(std::int64_t item) {
    tasks_.push(item);
    puts_.fetch_add(1, std::memory_order_relaxed);
    if (item != kSentinel) produced_.fetch_add(1, std::memory_order_relaxed);
  }
  void task_done() {
    tasks_.task_done();
    dones_.fetch_add(1, std::memory_order_relaxed);
  }
  // print(f"Processing: {item}"), time.sleep(random() * 2), result_queue.put(result)
  void process(strain::Context& ctx, std::int64_t item) {
    // Ids come only from the producer; a bad one would be a queue bug, and
    // must not index past the array.
    if (!ctx.expect(item >= 0 && item < items_, "consumer got an item id out of range")) return;
    consumed_[item].fetch_add(1, std::memory_order_relaxed);
    ctx.sleep(ctx.rng().real() * process_s_);
    results_.push(item);
  }

  Variant variant_ = Variant::fixed;
  std::int64_t items_ = 0, consumers_ = 0;
  double produce_s_ = 0, process_s_ = 0;
  strain::Queue<std::int64_t, kCapacity> tasks_;
  strain::Queue<std::int64_t, kCapacity> results_;
  // Plain lock-free std::atomic: valid in a MAP_SHARED state, and not meant
  // as schedule points (they only count what happened).
  std::atomic<std::int64_t> produced_{0}, consumers_ended_{0}, puts_{0}, dones_{0};
  std::atomic<std::int32_t> consumed_[kCapacity];  // per item id; C++20: zero-initialised
};

}  // namespace

STRAIN_SCENARIO(QueuePipeline, queue_pipeline);
