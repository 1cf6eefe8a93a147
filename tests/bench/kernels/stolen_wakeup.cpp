// Stolen wakeup: a consumer waits on a condition variable with `if` instead
// of `while`. The producer adds an item and notifies it; before it runs,
// another consumer takes that item; the woken consumer goes on as if an
// item were there.
// Fixed: the consumer waits in a loop (the wait's predicate).

#include <mutex>

#include "work.hpp"

namespace {

class StolenWakeup {
 public:
  static void declare(strain::Declare<StolenWakeup>& d) {
    d.doc("Kernel: a condition variable wait guarded by `if`, not `while`");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before producing or consuming")
        .role("producer", &StolenWakeup::producer, "adds one item per consumer, notifying each")
        .role("consumer", &StolenWakeup::consumer, "waits for an item and takes it");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
    consumers_ = ctx.instances_of(1);
  }
  void producer(strain::Context&) {
    for (std::int64_t k = 0; k < consumers_; ++k) {
      kernels::work(work_);
      {
        std::lock_guard<strain::Mutex> g(m_);
        ++items_;
      }
      cv_.notify_one();
    }
  }
  void consumer(strain::Context& ctx) {
    kernels::work(work_);
    std::unique_lock<strain::Mutex> lock(m_);
    if (bug_) {
      if (items_ == 0) cv_.wait(lock);
    } else {
      cv_.wait(lock, [this] { return items_ > 0; });
    }
    ctx.expect(items_ > 0, "a consumer woke up to no item (another consumer took it)");
    --items_;
  }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0, consumers_ = 0;
  strain::Mutex m_;
  strain::CondVar cv_;
  std::int64_t items_ = 0;  // guarded by m_
};

}  // namespace

STRAIN_SCENARIO(StolenWakeup, stolen_wakeup);
