// Bugs only ThreadSanitizer sees, each of one kind: a data race that changes
// no result, and a lock-order inversion that never actually deadlocks (the
// two roles take the locks one after the other). The plain build passes them;
// the tsan build must classify them as `race` and `deadlock`.
//
// The race must show in every trial, so it avoids TSan's two blind spots:
// - TSan keeps 4 shadow cells per 8 bytes; other accesses to the same 8
//   bytes (the flags below, once beside plain_) evict the first write, and
//   the second then races with nothing (measured: 10 of 40 trials silent).
//   plain_ gets its 8 bytes to itself.
// - Two writes at the very same moment can each miss the other's shadow
//   (measured: up to 9 of 300 silent). second waits on a relaxed flag, which
//   orders the writes in time but makes no happens-before edge.

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
    if (mode_ == "data_race") {
      plain_ = 1;  // unsynchronised write
      written_.store(true, std::memory_order_relaxed);
    }
    if (mode_ == "lock_order") {
      std::lock_guard<std::mutex> a(a_);
      std::lock_guard<std::mutex> b(b_);
    }
    first_done_.store(true, std::memory_order_release);
  }
  void second(strain::Context& ctx) {
    if (mode_ == "data_race") {
      // A relaxed load makes no happens-before edge. The yield is a schedule
      // point, so `controlled` hands the turn to first instead of spinning.
      while (!written_.load(std::memory_order_relaxed)) ctx.yield("wait for first's write");
      plain_ = 2;  // races with first's write
    }
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
  alignas(8) int plain_ = 0;
  alignas(8) std::atomic<bool> first_done_{false};
  std::atomic<bool> written_{false};
  std::mutex a_, b_;
};

}  // namespace

STRAIN_SCENARIO(TsanKinds, tsan_kinds);
