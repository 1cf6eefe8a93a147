// Atomicity violation across two critical sections: a withdrawal reads the
// balance under the lock, releases it, and writes the new balance under the
// lock again. Each step is correctly locked, so no race detector objects,
// but another withdrawal between the two steps is overwritten.
// Fixed: one critical section.

#include <mutex>

#include "work.hpp"

namespace {

class TwoCriticalSections {
 public:
  static void declare(strain::Declare<TwoCriticalSections>& d) {
    d.doc("Kernel: read and write of a balance in two separately locked steps");
    kernels::variants(d);
    d.param("amount", 10, "each withdrawal")
        .param("work", 300, "iterations of local work before the withdrawal")
        .role("withdraw", &TwoCriticalSections::withdraw, "withdraws amount once")
        .metric("balance", "the final balance");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    amount_ = ctx.int_param("amount");
    work_ = ctx.int_param("work");
  }
  void withdraw(strain::Context& ctx) {
    kernels::work(kernels::staggered(work_, ctx));
    if (!bug_) {
      std::lock_guard<strain::Mutex> g(m_);
      balance_ -= amount_;
      return;
    }
    std::int64_t seen;
    {
      std::lock_guard<strain::Mutex> g(m_);
      seen = balance_;
    }
    std::lock_guard<strain::Mutex> g(m_);
    balance_ = seen - amount_;
  }
  void check(strain::Context& ctx) {
    const std::int64_t want = kInitial - amount_ * ctx.instances_of(0);
    ctx.metric("balance", balance_);
    ctx.expect(balance_ == want, "a withdrawal was lost: balance " + std::to_string(balance_) +
                                     ", expected " + std::to_string(want));
  }

 private:
  static constexpr std::int64_t kInitial = 1000;
  bool bug_ = true;
  std::int64_t amount_ = 0, work_ = 0;
  strain::Mutex m_;
  std::int64_t balance_ = kInitial;  // guarded by m_
};

}  // namespace

STRAIN_SCENARIO(TwoCriticalSections, two_critical_sections);
