// Lost update: workers increment a shared counter as a load and a store of
// an atomic, each correct alone, together not atomic: an increment made
// between another worker's load and store is overwritten.
// Fixed: fetch_add.

#include "work.hpp"

namespace {

class LostUpdate {
 public:
  static void declare(strain::Declare<LostUpdate>& d) {
    d.doc("Kernel: lost update (load, then store, of an atomic counter)");
    kernels::variants(d);
    d.param("increments", 2, "increments per worker")
        .param("work", 200, "iterations of local work before each increment")
        .param("spread", 6000, "up to this many more iterations, drawn per increment")
        .role("worker", &LostUpdate::worker, "increments the counter")
        .metric("counter", "the final count");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    increments_ = ctx.int_param("increments");
    work_ = ctx.int_param("work");
    spread_ = ctx.int_param("spread");
  }
  void worker(strain::Context& ctx) {
    for (std::int64_t k = 0; k < increments_; ++k) {
      kernels::work(kernels::jittered(work_, spread_, ctx));
      if (bug_) {
        const std::int64_t seen = counter_.load();
        counter_.store(seen + 1);
      } else {
        counter_.fetch_add(1);
      }
    }
  }
  void check(strain::Context& ctx) {
    const std::int64_t want = increments_ * ctx.instances_of(0);
    ctx.metric("counter", counter_.load());
    ctx.expect(counter_.load() == want, "an increment was lost: counter " +
                                            std::to_string(counter_.load()) + " of " +
                                            std::to_string(want));
  }

 private:
  bool bug_ = true;
  std::int64_t increments_ = 0, work_ = 0, spread_ = 0;
  strain::Atomic<std::int64_t> counter_{0};
};

}  // namespace

STRAIN_SCENARIO(LostUpdate, lost_update);
