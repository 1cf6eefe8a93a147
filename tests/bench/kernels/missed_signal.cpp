// Missed signal: the waiter checks the flag outside the lock and then waits
// on the condition variable without a predicate. If the notifier sets the
// flag and notifies between the check and the wait, the notification finds
// nobody waiting and the waiter waits forever.
// Fixed: the flag is checked under the lock, in the wait's predicate.

#include <mutex>

#include "work.hpp"

namespace {

class MissedSignal {
 public:
  static void declare(strain::Declare<MissedSignal>& d) {
    d.doc("Kernel: a condition variable's notification sent before the wait");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before waiting or notifying")
        .role("waiter", &MissedSignal::waiter, "waits until the flag is set")
        .role("notifier", &MissedSignal::notifier, "sets the flag and notifies");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
  }
  void waiter(strain::Context&) {
    kernels::work(work_);
    if (bug_) {
      if (!ready_.load()) {
        std::unique_lock<strain::Mutex> lock(m_);
        cv_.wait(lock);
      }
    } else {
      std::unique_lock<strain::Mutex> lock(m_);
      cv_.wait(lock, [this] { return ready_.load(); });
    }
    woke_.store(true);
  }
  void notifier(strain::Context&) {
    kernels::work(work_);
    {
      std::lock_guard<strain::Mutex> g(m_);
      ready_.store(true);
    }
    cv_.notify_one();
  }
  void check(strain::Context& ctx) { ctx.expect(woke_.load(), "the waiter did not wake"); }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0;
  strain::Mutex m_;
  strain::CondVar cv_;
  strain::Atomic<bool> ready_{false}, woke_{false};
};

}  // namespace

STRAIN_SCENARIO(MissedSignal, missed_signal);
