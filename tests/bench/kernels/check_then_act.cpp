// Check-then-act: a registration with one free seat checks that a seat is
// free, then takes it, in two atomic steps; two joiners that both check
// before either takes overbook.
// Fixed: the check and the take are one compare-exchange.

#include "work.hpp"

namespace {

class CheckThenAct {
 public:
  static void declare(strain::Declare<CheckThenAct>& d) {
    d.doc("Kernel: a free seat checked, then taken, in two steps");
    kernels::variants(d);
    d.param("seats", 1, "seats available")
        .param("work", 300, "iterations of local work before joining")
        .role("joiner", &CheckThenAct::joiner, "takes a seat if one is free")
        .metric("taken", "seats taken");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    seats_ = ctx.int_param("seats");
    work_ = ctx.int_param("work");
  }
  void joiner(strain::Context& ctx) {
    kernels::work(kernels::staggered(work_, ctx));
    if (bug_) {
      if (taken_.load() < seats_) taken_.fetch_add(1);
      return;
    }
    std::int64_t seen = taken_.load();
    while (seen < seats_ && !taken_.compare_exchange_weak(seen, seen + 1)) {
    }
  }
  void check(strain::Context& ctx) {
    ctx.metric("taken", taken_.load());
    ctx.expect(taken_.load() <= seats_, "overbooked: " + std::to_string(taken_.load()) +
                                            " seats taken of " + std::to_string(seats_));
  }

 private:
  bool bug_ = true;
  std::int64_t seats_ = 1, work_ = 0;
  strain::Atomic<std::int64_t> taken_{0};
};

}  // namespace

STRAIN_SCENARIO(CheckThenAct, check_then_act);
