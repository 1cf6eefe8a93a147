// The chapter's "Inter-Process Communication with Pipes and Queues" example:
// a producer puts "Item i" for i in range(10) on a multiprocessing.Queue,
// sleeping random() between puts, then a None sentinel; a consumer gets until
// None, sleeping random() * 2 per item.
//
// Variants:
//  seed             the chapter's code as written: each producer puts one
//                   sentinel. Correct with one consumer; with more, the
//                   consumers that find no sentinel wait in get() forever.
//  fixed            the last producer to finish puts one sentinel per
//                   consumer, behind every item of every producer.
//  bug_empty_check  the consumer loops `while not queue.empty()` instead of
//                   until the sentinel: when it outruns the producer it finds
//                   the queue momentarily empty and quits, losing items.
//  bug_unordered    items alternate between two queues (two pipes) and the
//                   consumer reads whichever is ready, checking the first one
//                   first (connection.wait order): a later item overtakes an
//                   earlier one whenever both are waiting.

#include <cstdint>
#include <stdexcept>
#include <strain/strain.hpp>
#include <string_view>

namespace {

// Fixed bounds: the state lives in a MAP_SHARED arena in the process
// topology, so it holds arrays rather than heap containers.
constexpr std::int64_t kMaxProducers = 4;
constexpr std::int64_t kMaxConsumers = 8;
constexpr std::int64_t kMaxItems = 64;
// Room for every item and sentinel, so a put never blocks, like the
// unbounded multiprocessing.Queue().
constexpr std::size_t kCapacity = kMaxProducers * kMaxItems + kMaxProducers * kMaxConsumers;

//! One message: "Item <seq>" from producer `producer`, or the None sentinel.
//! Trivially copyable so that its bytes can cross processes in the queue.
struct Item {
  std::int64_t producer = 0;
  std::int64_t seq = 0;
  bool sentinel = false;
};

enum class Variant { seed, fixed, bug_empty_check, bug_unordered };

class IpcQueue {
 public:
  static void declare(strain::Declare<IpcQueue>& d) {
    d.doc(
         "Chapter 'Inter-Process Communication with Pipes and Queues': producers put numbered "
         "items and a None sentinel on a shared queue, consumers get until the sentinel")
        .param("variant", "fixed", "which code runs",
               {"seed", "fixed", "bug_empty_check", "bug_unordered"})
        .param("count", 10, "items each producer puts (the chapter: range(10)); at most 64")
        .param("producer_sleep_s", 1.0,
               "upper bound of the producer's time.sleep(random()) after each put, before "
               "time_scale")
        .param("consumer_sleep_s", 2.0,
               "upper bound of the consumer's time.sleep(random() * 2) per item, before "
               "time_scale")
        .role("producer", &IpcQueue::producer,
              "producer(queue): puts count items, sleeping between puts, then the sentinel "
              "(at most 4)")
        .role("consumer", &IpcQueue::consumer,
              "consumer(queue): gets items until the sentinel, sleeping per item (at most 8)")
        .metric("items", "items put: producers * count")
        .metric("received", "items got by all consumers, sentinels excluded")
        .metric("duplicates", "gets beyond the first of the same item")
        .metric("missing", "items put but never got")
        .metric("out_of_order", "items a consumer got after a later item of the same producer")
        .metric("consumers_ended", "consumers that stopped on a sentinel")
        .metric("consumers", "how many consumers ran")
        .metric("producers", "how many producers ran");
  }

  void setup(strain::Context& ctx) {
    const std::string_view v = ctx.str_param("variant");
    variant_ = v == "seed"              ? Variant::seed
               : v == "fixed"           ? Variant::fixed
               : v == "bug_empty_check" ? Variant::bug_empty_check
                                        : Variant::bug_unordered;
    count_ = ctx.int_param("count");
    producer_sleep_s_ = ctx.num_param("producer_sleep_s");
    consumer_sleep_s_ = ctx.num_param("consumer_sleep_s");
    producers_ = ctx.instances_of(0);
    consumers_ = ctx.instances_of(1);
    if (count_ < 0 || count_ > kMaxItems) throw std::invalid_argument("count must be in [0, 64]");
    if (producers_ > kMaxProducers) throw std::invalid_argument("at most 4 producers");
    if (consumers_ > kMaxConsumers) throw std::invalid_argument("at most 8 consumers");
    for (auto& row : last_seen_)
      for (auto& seq : row) seq = -1;
  }

  void producer(strain::Context& ctx) {
    const auto me = static_cast<std::int64_t>(ctx.instance());
    for (std::int64_t i = 0; i < count_; ++i) {
      put(Item{me, i, false});
      ctx.sleep(ctx.rng().real() * producer_sleep_s_);
    }
    if (variant_ == Variant::seed) {
      // `queue.put(None)`: one sentinel per producer, whatever the number of
      // consumers; the first consumer to get it stops and it is gone.
      put(Item{me, 0, true});
      return;
    }
    // Only once every producer has put all its items may the sentinels go
    // in: then each lies behind every item, and each consumer gets one.
    if (producers_done_.fetch_add(1) + 1 == producers_) {
      for (std::int64_t c = 0; c < consumers_; ++c) put(Item{me, 0, true});
    }
  }

  void consumer(strain::Context& ctx) {
    const auto me = ctx.instance();
    for (;;) {
      Item item;
      if (variant_ == Variant::bug_empty_check) {
        // `while not queue.empty(): item = queue.get()`: empty() is only a
        // snapshot, true whenever the consumer is ahead of a sleeping
        // producer. get_nowait so that it can only lose items, not hang.
        auto got = queue_[0].try_pop();
        if (!got) return;
        item = *got;
      } else if (variant_ == Variant::bug_unordered) {
        // Wait until either queue holds something, then read the first
        // ready one in list order, as with connection.wait([a, b]).
        ready_.acquire();
        auto got = queue_[0].try_pop();
        item = got ? *got : queue_[1].pop();
      } else {
        item = queue_[0].pop();
      }
      if (item.sentinel) {
        consumers_ended_.fetch_add(1);
        return;
      }
      record(me, item);
      ctx.sleep(ctx.rng().real() * consumer_sleep_s_);
    }
  }

  void check(strain::Context& ctx) {
    std::int64_t received = 0, duplicates = 0, missing = 0;
    for (std::int64_t p = 0; p < producers_; ++p) {
      for (std::int64_t i = 0; i < count_; ++i) {
        const std::int64_t n = got_[p][i].load();
        received += n;
        if (n == 0) ++missing;
        if (n > 1) duplicates += n - 1;
      }
    }
    ctx.metric("items", producers_ * count_);
    ctx.metric("received", received);
    ctx.metric("duplicates", duplicates);
    ctx.metric("missing", missing);
    ctx.metric("out_of_order", out_of_order_.load());
    ctx.metric("consumers_ended", consumers_ended_.load());
    ctx.metric("consumers", consumers_);
    ctx.metric("producers", producers_);
  }

 private:
  //! Puts `item` on the chapter's queue; bug_unordered spreads the items of
  //! each producer over two queues by seq parity, sentinels on the second
  //! (so that they are read only once the first is drained).
  void put(const Item& item) {
    if (variant_ != Variant::bug_unordered) {
      queue_[0].push(item);
      return;
    }
    queue_[item.sentinel ? 1 : item.seq % 2].push(item);
    ready_.release();
  }

  //! Counts the item and checks it follows this consumer's previous item of
  //! the same producer (a FIFO queue keeps each producer's order).
  void record(std::uint32_t consumer, const Item& item) {
    got_[item.producer][item.seq].fetch_add(1);
    std::int64_t& last = last_seen_[consumer][item.producer];
    if (item.seq <= last) out_of_order_.fetch_add(1);
    last = item.seq;
  }

  Variant variant_ = Variant::fixed;
  std::int64_t count_ = 0;
  double producer_sleep_s_ = 0;
  double consumer_sleep_s_ = 0;
  std::int64_t producers_ = 0;
  std::int64_t consumers_ = 0;
  // queue_[0] is the chapter's multiprocessing.Queue; queue_[1] is the
  // second pipe of bug_unordered, whose `ready_` counts what both hold.
  strain::Queue<Item, kCapacity> queue_[2];
  strain::Semaphore ready_;
  strain::Atomic<std::int64_t> producers_done_{0};
  strain::Atomic<std::int64_t> consumers_ended_{0};
  strain::Atomic<std::int64_t> out_of_order_{0};
  strain::Atomic<std::int64_t> got_[kMaxProducers][kMaxItems];
  // Each consumer writes only its own row; check reads it after the trial.
  std::int64_t last_seen_[kMaxConsumers][kMaxProducers];
};

}  // namespace

STRAIN_SCENARIO(IpcQueue, ipc_queue);
