// Order violation: the main thread sets up a configuration that a worker it
// started uses, assuming that setup, which comes first in the main thread,
// has happened by the time the worker gets there (it has, nearly always:
// the worker has work to do first).
// Fixed: the worker waits for a semaphore the setup releases.

#include "work.hpp"

namespace {

class OrderViolation {
 public:
  static void declare(strain::Declare<OrderViolation>& d) {
    d.doc("Kernel: a worker uses a configuration before the main thread set it");
    kernels::variants(d);
    d.param("work", 2000, "iterations of the worker's work before it uses the configuration")
        .role("main", &OrderViolation::main_thread, "sets the configuration")
        .role("worker", &OrderViolation::worker, "works, then uses the configuration");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
  }
  void main_thread(strain::Context&) {
    config_.store(42);
    if (!bug_) ready_.release();
  }
  void worker(strain::Context& ctx) {
    kernels::work(work_);
    if (!bug_) ready_.acquire();
    const std::int64_t c = config_.load();
    ctx.expect(c == 42, "the worker used the configuration before it was set (read " +
                            std::to_string(c) + ")");
  }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0;
  strain::Atomic<std::int64_t> config_{0};
  strain::Semaphore ready_{0};
};

}  // namespace

STRAIN_SCENARIO(OrderViolation, order_violation);
