// A bug that needs one thread to run uninterrupted for many steps: a monitor
// watches a worker's batch, one atomic step per item, and decides the batch
// was skipped if it never saw it in progress. That inference is wrong
// exactly when the worker runs its whole batch between two polls of the
// monitor: many steps in a row with the monitor, which polls all the time,
// never running. A random walk practically never allows it; PCT does when
// the worker has the higher priority; plain stress needs the monitor to be
// descheduled for the whole batch, which does real work between its steps
// (a few milliseconds: longer than the kernel lets one thread run while
// another waits, on a loaded machine too).
// Fixed: the monitor waits for the worker's completion count instead.

#include "work.hpp"

namespace {

class LongRun {
 public:
  static void declare(strain::Declare<LongRun>& d) {
    d.doc("Kernel: a monitor that misses a batch run without interruption");
    kernels::variants(d);
    d.param("batch", 40, "items in the batch, one atomic step each")
        .param("work", 50000, "iterations of local work per item")
        .role("worker", &LongRun::worker, "waits for the monitor, then runs the batch")
        .role("monitor", &LongRun::monitor, "polls the progress until the batch is done");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    batch_ = ctx.int_param("batch");
    work_ = ctx.int_param("work");
  }
  void worker(strain::Context&) {
    while (!watching_.load()) strain::yield();
    for (std::int64_t i = 0; i < batch_; ++i) {
      kernels::work(work_);
      done_.fetch_add(1);
    }
    batches_.fetch_add(1);
  }
  void monitor(strain::Context& ctx) {
    watching_.store(true);
    if (!bug_) {
      while (batches_.load() == 0) {
      }
      return;
    }
    // A batch the monitor never saw running, it concludes, was skipped.
    bool in_progress = false;
    std::int64_t seen = 0;
    while ((seen = done_.load()) < batch_)
      if (seen > 0) in_progress = true;
    ctx.expect(in_progress, "the monitor reported the batch skipped, but it ran");
  }

 private:
  bool bug_ = true;
  std::int64_t batch_ = 0, work_ = 0;
  strain::Atomic<bool> watching_{false};
  strain::Atomic<std::int64_t> done_{0}, batches_{0};
};

}  // namespace

STRAIN_SCENARIO(LongRun, long_run);
