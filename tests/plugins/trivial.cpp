// The smallest two-role scenario: each role writes one value. It measures
// the harness's own cost per trial and exercises the runner in tests.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <strain/strain.hpp>

namespace {

class Trivial {
 public:
  static void declare(strain::Declare<Trivial>& d) {
    d.doc("Two roles each store one value; nothing can fail unless asked to")
        .param("fail_every", 0, "fail the check of every n-th trial (0: never)")
        .param("points", 0, "schedule points each role passes")
        .param("label", "", "any text, unused: lets a test put shell syntax into a case id")
        .param("busy_ms", 0, "real time each role spends busy after its points (no points)")
        .param("check_seeds", false,
               "each role notes the trial and seed its context says, and the check fails unless "
               "they are the check's own (one instance per role)")
        .role("left", &Trivial::left)
        .role("right", &Trivial::right)
        .metric("sum", "left + right")
        .metric("trial_seed_low", "low bits of the trial seed, to see replay determinism");
  }
  void setup(strain::Context& ctx) {
    fail_every_ = ctx.int_param("fail_every");
    points_ = ctx.int_param("points");
    busy_ms_ = ctx.int_param("busy_ms");
    check_seeds_ = ctx.bool_param("check_seeds");
  }
  void left(strain::Context& ctx) {
    for (std::int64_t k = 0; k < points_; ++k) ctx.point("left");
    busy();
    if (check_seeds_) seen_[0] = {ctx.trial(), ctx.seed()};
    a_.store(1, std::memory_order_relaxed);
  }
  void right(strain::Context& ctx) {
    for (std::int64_t k = 0; k < points_; ++k) ctx.point("right");
    busy();
    if (check_seeds_) seen_[1] = {ctx.trial(), ctx.seed()};
    b_.store(2, std::memory_order_relaxed);
  }
  void check(strain::Context& ctx) {
    if (check_seeds_)
      for (const Seen& s : seen_)
        ctx.expect(s.trial == ctx.trial() && s.seed == ctx.seed(),
                   "a role saw the trial and seed of its own trial");
    ctx.metric("sum", a_.load() + b_.load());
    ctx.metric("trial_seed_low", static_cast<std::int64_t>(ctx.seed() & 0xffff));
    if (fail_every_ > 0 && (ctx.trial() + 1) % static_cast<std::uint64_t>(fail_every_) == 0)
      ctx.fail("asked to fail this trial");
  }

 private:
  // Wall time, as a trial that waits on the network or computes would
  // take: neither a sleep (a point under controlled, which takes no time)
  // nor a point.
  void busy() const {
    if (busy_ms_ == 0) return;  // no clock read: the trial measures the harness
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_ms_);
    while (std::chrono::steady_clock::now() < until) {
    }
  }

  struct Seen {
    std::uint64_t trial = ~0ULL, seed = 0;
  };
  std::int64_t fail_every_ = 0, points_ = 0, busy_ms_ = 0;
  bool check_seeds_ = false;
  Seen seen_[2];  // each written by one role (left, right), read after both
  std::atomic<std::int64_t> a_{0}, b_{0};
};

}  // namespace

STRAIN_SCENARIO(Trivial, trivial);
