// Dining philosophers: each takes the fork on its left, then the one on its
// right. If every philosopher holds its left fork at once, all wait for
// their right fork forever: a deadlock that needs every thread to have
// taken its first lock before any takes its second.
// Fixed: every philosopher takes the lower-numbered fork first.

#include <mutex>

#include "work.hpp"

namespace {

class Philosophers {
 public:
  static constexpr int kMax = 8;
  static void declare(strain::Declare<Philosophers>& d) {
    d.doc("Kernel: dining philosophers taking the left fork first");
    kernels::variants(d);
    d.param("meals", 1, "meals per philosopher")
        .param("work", 300, "iterations of thinking before each meal")
        .role("philosopher", &Philosophers::philosopher, "thinks, then eats with two forks");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    meals_ = ctx.int_param("meals");
    work_ = ctx.int_param("work");
    if (ctx.instances_of(0) > kMax) throw std::invalid_argument("at most 8 philosophers");
  }
  void philosopher(strain::Context& ctx) {
    const int n = static_cast<int>(ctx.role_instances());
    const int left = static_cast<int>(ctx.instance()), right = (left + 1) % n;
    const int first = bug_ ? left : std::min(left, right);
    const int second = bug_ ? right : std::max(left, right);
    for (std::int64_t k = 0; k < meals_; ++k) {
      kernels::work(work_);
      std::lock_guard<strain::Mutex> a(forks_[first]);
      std::lock_guard<strain::Mutex> b(forks_[second]);
      eaten_.fetch_add(1);
    }
  }
  void check(strain::Context& ctx) {
    ctx.expect(eaten_.load() == meals_ * ctx.instances_of(0), "a philosopher did not eat");
  }

 private:
  bool bug_ = true;
  std::int64_t meals_ = 0, work_ = 0;
  strain::Mutex forks_[kMax];
  strain::Atomic<std::int64_t> eaten_{0};
};

}  // namespace

STRAIN_SCENARIO(Philosophers, philosophers);
