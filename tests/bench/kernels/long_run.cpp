// A bug that needs one thread to run uninterrupted for many steps: the
// publisher sends a batch of items, one atomic step each, and drops the
// batch at the end if nobody has subscribed by then, although the
// subscriber is running and subscribes at its very first step. Only a
// schedule that lets the publisher run its whole batch before the
// subscriber's first step shows it; a random walk practically never does.
// Fixed: the publisher waits for the subscription before sending.

#include "work.hpp"

namespace {

class LongRun {
 public:
  static void declare(strain::Declare<LongRun>& d) {
    d.doc("Kernel: a batch dropped when its publisher outruns the subscriber");
    kernels::variants(d);
    d.param("batch", 40, "items in the batch, one atomic step each")
        .param("reads", 120, "polls of the subscriber")
        .param("work", 30, "iterations of local work per item")
        .role("publisher", &LongRun::publisher, "sends the batch, then looks for a subscriber")
        .role("subscriber", &LongRun::subscriber, "subscribes, then polls the items")
        .metric("dropped", "items dropped");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    batch_ = ctx.int_param("batch");
    reads_ = ctx.int_param("reads");
    work_ = ctx.int_param("work");
  }
  void publisher(strain::Context&) {
    if (!bug_) subscribed_sem_.acquire();
    for (std::int64_t i = 0; i < batch_; ++i) {
      kernels::work(work_);
      sent_.fetch_add(1);
    }
    if (!subscribed_.load()) dropped_.store(batch_);  // nobody listening: discard
  }
  void subscriber(strain::Context&) {
    subscribed_.store(true);
    if (!bug_) subscribed_sem_.release();
    for (std::int64_t i = 0; i < reads_ && sent_.load() < batch_; ++i) {
    }
  }
  void check(strain::Context& ctx) {
    ctx.metric("dropped", dropped_.load());
    ctx.expect(dropped_.load() == 0, "the batch was dropped although the subscriber had started");
  }

 private:
  bool bug_ = true;
  std::int64_t batch_ = 0, reads_ = 0, work_ = 0;
  strain::Atomic<std::int64_t> sent_{0}, dropped_{0};
  strain::Atomic<bool> subscribed_{false};
  strain::Semaphore subscribed_sem_{0};
};

}  // namespace

STRAIN_SCENARIO(LongRun, long_run);
