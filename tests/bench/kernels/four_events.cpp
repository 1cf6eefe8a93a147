// A bug that needs four events in one order across four threads: each stage
// does its own share of work (the first stage the most), then advances a
// shared stage counter if the counter shows its turn. The stages reach the
// last one only if all four advance in order 0, 1, 2, 3, which is the
// reverse of the order their work makes natural; the final stage then
// "releases" the pipeline while stage 0 still uses it.
// Fixed: the final stage waits until every stage has also finished its tail.

#include "work.hpp"

namespace {

class FourEvents {
 public:
  static void declare(strain::Declare<FourEvents>& d) {
    d.doc("Kernel: a failure that needs four events in one order across four threads");
    kernels::variants(d);
    d.param("steps", 3, "atomic steps of work before its event, per stage after it")
        .param("tail", 8, "atomic steps each stage does after its event")
        .role("stage", &FourEvents::stage, "works, advances the stage if it is its turn, works")
        .metric("stage", "how far the stages advanced in order");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    steps_ = ctx.int_param("steps");
    tail_ = ctx.int_param("tail");
  }
  void stage(strain::Context& ctx) {
    const std::int64_t me = ctx.instance();
    const std::int64_t n = ctx.role_instances();
    strain::Atomic<std::int64_t>& mine = own_[me % kMax];
    // Stage i has (n - 1 - i) * steps steps of work: stage 0 the most.
    for (std::int64_t k = 0; k < (n - 1 - me) * steps_; ++k) mine.fetch_add(1);
    if (stage_.load() == me) stage_.store(me + 1);
    for (std::int64_t k = 0; k < tail_; ++k) mine.fetch_add(1);
    if (me == n - 1 && stage_.load() == n) {
      // The last stage saw every stage go before it and releases the
      // pipeline, although stage 0 may still be in its tail.
      if (!bug_) {
        while (tails_done_.load() != n - 1) strain::yield();
      } else if (tails_done_.load() != n - 1) {
        released_early_.store(true);
      }
    } else {
      tails_done_.fetch_add(1);
    }
  }
  void check(strain::Context& ctx) {
    ctx.metric("stage", stage_.load());
    ctx.expect(!released_early_.load(),
               "the last stage released the pipeline while another stage still used it");
  }

 private:
  static constexpr std::int64_t kMax = 16;
  bool bug_ = true;
  std::int64_t steps_ = 0, tail_ = 0;
  strain::Atomic<std::int64_t> stage_{0}, tails_done_{0};
  strain::Atomic<bool> released_early_{false};
  strain::Atomic<std::int64_t> own_[kMax];
};

}  // namespace

STRAIN_SCENARIO(FourEvents, four_events);
