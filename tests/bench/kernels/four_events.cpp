// A bug that needs four events in one order across four threads: each stage
// does its share of work, then advances a shared stage counter if the
// counter shows its turn. The counter reaches the end, where a stage-table
// lookup goes out of bounds, only if all four advance in the order 0, 1, 2,
// 3: the reverse of the order their work makes natural (stage 0 has the
// most). After its event each stage works on; the tail soaks up PCT's
// change points, which do no harm there.
// Fixed: the lookup is bounded.

#include "work.hpp"

namespace {

class FourEvents {
 public:
  static void declare(strain::Declare<FourEvents>& d) {
    d.doc("Kernel: a failure that needs four events in one order across four threads");
    kernels::variants(d);
    d.param("steps", 2, "atomic steps of work before its event, per stage after it")
        .param("work", 50000, "iterations of local work per step")
        .param("tail", 30, "atomic steps each stage does after its event")
        .role("stage", &FourEvents::stage, "works, advances the stage if it is its turn, works")
        .metric("stage", "how far the stages advanced in order");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    steps_ = ctx.int_param("steps");
    work_ = ctx.int_param("work");
    tail_ = ctx.int_param("tail");
    if (ctx.instances_of(0) > kMax) throw std::invalid_argument("at most 16 stages");
  }
  void stage(strain::Context& ctx) {
    const std::int64_t me = ctx.instance();
    const std::int64_t n = ctx.role_instances();
    strain::Atomic<std::int64_t>& mine = own_[me];
    // Stage i has (n - 1 - i) * steps steps of work: stage 0 the most.
    for (std::int64_t k = 0; k < (n - 1 - me) * steps_; ++k) {
      kernels::work(work_);
      mine.fetch_add(1);
    }
    if (stage_.load() == me) stage_.store(me + 1);
    for (std::int64_t k = 0; k < tail_; ++k) mine.fetch_add(1);
  }
  void check(strain::Context& ctx) {
    const std::int64_t n = ctx.instances_of(0);
    const std::int64_t s = stage_.load();
    ctx.metric("stage", s);
    // The stage table has an entry per stage; the bug looks up entry s.
    ctx.expect(!bug_ || s < n, "all four stages advanced in order: stage " + std::to_string(s) +
                                   " is past the end of the stage table");
  }

 private:
  static constexpr std::int64_t kMax = 16;
  bool bug_ = true;
  std::int64_t steps_ = 0, work_ = 0, tail_ = 0;
  strain::Atomic<std::int64_t> stage_{0};
  strain::Atomic<std::int64_t> own_[kMax];
};

}  // namespace

STRAIN_SCENARIO(FourEvents, four_events);
