// Lock-order deadlock: one role takes lock A then B, the other B then A.
// Each holds its first lock only briefly, so the two rarely overlap.
// Fixed: both take A first.

#include <mutex>

#include "work.hpp"

namespace {

class LockOrder {
 public:
  static void declare(strain::Declare<LockOrder>& d) {
    d.doc("Kernel: two locks taken in opposite orders");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before taking the locks")
        .param("spread", 6000, "up to this many more iterations, drawn per thread")
        .role("first", &LockOrder::first, "takes A then B")
        .role("second", &LockOrder::second, "takes B then A (fixed: A then B)");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
    spread_ = ctx.int_param("spread");
  }
  void first(strain::Context& ctx) {
    kernels::work(kernels::jittered(work_, spread_, ctx));
    std::lock_guard<strain::Mutex> a(a_);
    std::lock_guard<strain::Mutex> b(b_);
    ++moved_;
  }
  void second(strain::Context& ctx) {
    kernels::work(kernels::jittered(work_, spread_, ctx));
    strain::Mutex& one = bug_ ? b_ : a_;
    strain::Mutex& two = bug_ ? a_ : b_;
    std::lock_guard<strain::Mutex> x(one);
    std::lock_guard<strain::Mutex> y(two);
    ++moved_;
  }
  void check(strain::Context& ctx) { ctx.expect(moved_ == 2, "a transfer did not happen"); }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0, spread_ = 0;
  strain::Mutex a_, b_;
  std::int64_t moved_ = 0;  // guarded by a_ and b_
};

}  // namespace

STRAIN_SCENARIO(LockOrder, lock_order);
