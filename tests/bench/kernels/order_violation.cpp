// Order violation: the main thread creates a connection object and
// publishes it, then initialises it; a worker it started earlier uses the
// connection as soon as it sees it published, assuming "published" means
// "ready" (the pattern of Mozilla's mThread bug in the concurrency-bug
// studies). The worker must look in the short time between publication and
// initialisation, which plain stress rarely lines up.
// Fixed: the main thread initialises before it publishes.

#include "work.hpp"

namespace {

class OrderViolation {
 public:
  static void declare(strain::Declare<OrderViolation>& d) {
    d.doc("Kernel: an object used between its publication and its initialisation");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before publishing or using")
        .param("spread", 6000, "up to this many more iterations, drawn per thread")
        .role("main", &OrderViolation::main_thread, "publishes, then initialises the object")
        .role("worker", &OrderViolation::worker, "uses the object once it is published");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
    spread_ = ctx.int_param("spread");
  }
  void main_thread(strain::Context& ctx) {
    kernels::work(kernels::jittered(work_, spread_, ctx));
    if (bug_) {
      published_.store(true);
      port_.store(443);
    } else {
      port_.store(443);
      published_.store(true);
    }
  }
  void worker(strain::Context& ctx) {
    kernels::work(kernels::jittered(work_, spread_, ctx));
    if (!published_.load()) return;  // not there yet: nothing to use
    const std::int64_t port = port_.load();
    ctx.expect(port == 443, "the worker used the connection before it was initialised (port " +
                                std::to_string(port) + ")");
  }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0, spread_ = 0;
  strain::Atomic<bool> published_{false};
  strain::Atomic<std::int64_t> port_{0};
};

}  // namespace

STRAIN_SCENARIO(OrderViolation, order_violation);
