// Bugs only ThreadSanitizer sees, each of one kind: a data race that changes
// no result, and a lock-order inversion that never actually deadlocks (the
// two roles take the locks one after the other). The plain build passes them;
// the tsan build must classify them as `race` and `deadlock`.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>
#include <string_view>

namespace {

class TsanKinds {
 public:
  static void declare(strain::Declare<TsanKinds>& d) {
    d.doc("A benign data race, or a lock-order inversion without a deadlock")
        .param("mode", "data_race", "which bug", {"data_race", "lock_order", "none"})
        .role("first", &TsanKinds::first)
        .role("second", &TsanKinds::second)
        .metric("done", "1 when both roles ended");
  }
  void setup(strain::Context& ctx) { mode_ = ctx.str_param("mode"); }
  void first(strain::Context&) {
    if (mode_ == "data_race") plain_ = 1;  // unsynchronised write
    if (mode_ == "lock_order") {
      std::lock_guard<std::mutex> a(a_);
      std::lock_guard<std::mutex> b(b_);
    }
    first_done_.store(true, std::memory_order_release);
  }
  void second(strain::Context&) {
    if (mode_ == "data_race") plain_ = 2;  // races with first's write
    if (mode_ == "lock_order") {
      // Wait for first to release both locks: the inversion is real, the
      // deadlock never happens, so only a lock-order detector finds it.
      while (!first_done_.load(std::memory_order_acquire)) {
      }
      std::lock_guard<std::mutex> b(b_);
      std::lock_guard<std::mutex> a(a_);
    }
  }
  void check(strain::Context& ctx) { ctx.metric("done", 1); }

 private:
  std::string_view mode_;
  int plain_ = 0;
  std::atomic<bool> first_done_{false};
  std::mutex a_, b_;
};

}  // namespace

STRAIN_SCENARIO(TsanKinds, tsan_kinds);
