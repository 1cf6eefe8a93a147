// The chapter's producer/consumer pipeline (Thread Communication with Queue)
// as ordinary C++: a queue of a std::deque, a std::mutex and a
// std::condition_variable; a producer puts items and one sentinel, and each
// consumer that takes the sentinel puts it back for the next one. The bug
// leaves the sentinel out: the other consumer waits forever, which the
// controlled scheduler sees as every thread blocked (a deadlock) and names
// each thread's wait.

#include <strain/plugin.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

class Queue {
 public:
  void put(int item) {
    {
      std::lock_guard<std::mutex> guard(m_);
      items_.push_back(item);
    }
    ready_.notify_one();
  }
  int get() {
    std::unique_lock<std::mutex> lock(m_);
    ready_.wait(lock, [&] { return !items_.empty(); });
    const int item = items_.front();
    items_.pop_front();
    return item;
  }

 private:
  std::mutex m_;
  std::condition_variable ready_;
  std::deque<int> items_;
};

constexpr int kSentinel = -1;

}  // namespace

STRAIN_TEST(std_queue_pipeline, "fixed", "bug_sentinel_not_reposted") {
  const bool repost = ctx.str_param("variant") == "fixed";
  constexpr int kItems = 3, kConsumers = 2;
  Queue queue;
  std::mutex results_m;
  int consumed = 0;
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c)
    consumers.emplace_back([&] {
      for (;;) {
        const int item = queue.get();
        if (item == kSentinel) {
          if (repost) queue.put(kSentinel);
          return;
        }
        std::lock_guard<std::mutex> guard(results_m);
        ++consumed;
      }
    });
  for (int i = 0; i < kItems; ++i) queue.put(i);
  queue.put(kSentinel);
  for (auto& c : consumers) c.join();
  strain::expect(consumed == kItems, "consumed " + std::to_string(consumed) + " of " +
                                         std::to_string(kItems) + " items");
}
