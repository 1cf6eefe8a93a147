// Unsafe lazy initialisation: users create a shared instance on first use.
// The check for an existing instance is made outside the lock and not
// repeated inside it, so two users that both find none both create one.
// Fixed: the check is repeated under the lock (double-checked locking with
// acquire/release).

#include <mutex>

#include "work.hpp"

namespace {

class LazyInit {
 public:
  static void declare(strain::Declare<LazyInit>& d) {
    d.doc("Kernel: lazy initialisation checked outside the lock only");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before the first use")
        .param("spread", 6000, "up to this many more iterations, drawn per thread")
        .role("user", &LazyInit::user, "gets the instance, creating it if there is none")
        .metric("created", "instances created");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
    spread_ = ctx.int_param("spread");
  }
  void user(strain::Context& ctx) {
    kernels::work(kernels::jittered(work_, spread_, ctx));
    if (ready_.load(std::memory_order_acquire)) return;
    std::lock_guard<strain::Mutex> g(m_);
    if (!bug_ && ready_.load(std::memory_order_relaxed)) return;
    created_.fetch_add(1);  // constructs the instance
    ready_.store(true, std::memory_order_release);
  }
  void check(strain::Context& ctx) {
    ctx.metric("created", created_.load());
    ctx.expect(created_.load() == 1,
               "the instance was created " + std::to_string(created_.load()) + " times");
  }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0, spread_ = 0;
  strain::Mutex m_;
  strain::Atomic<bool> ready_{false};
  strain::Atomic<std::int64_t> created_{0};
};

}  // namespace

STRAIN_SCENARIO(LazyInit, lazy_init);
