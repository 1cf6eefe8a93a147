// The chapter's "Shared Memory between Processes" example: workers each add
// 1 to a shared counter `increments` times under a lock.
//
// Variants:
//  seed         the chapter's code as written (it is correct: `with lock`).
//  fixed        the same; kept so every plugin has seed/fixed/bug variants.
//  bug_no_lock  the lock is omitted: read, add one, write back; concurrent
//               workers lose updates.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>
#include <string_view>

namespace {

class SharedCounter {
 public:
  static void declare(strain::Declare<SharedCounter>& d) {
    d.doc("Chapter 'Shared Memory between Processes': workers increment one counter under a lock")
        .param("variant", "fixed", "which code runs", {"seed", "fixed", "bug_no_lock"})
        .param("increments", 1000, "increments per worker (the chapter: 1000)")
        // One worker cannot lose an update: a spec that names no count gets
        // two, and one that asks for one is told why not.
        .role("worker", &SharedCounter::update_counter,
              "update_counter(): increments times counter += 1", 2)
        .metric("counter", "the counter's final value")
        .metric("workers", "how many workers ran");
  }

  void setup(strain::Context& ctx) {
    locked_ = ctx.str_param("variant") != "bug_no_lock";
    increments_ = ctx.int_param("increments");
  }

  void update_counter(strain::Context& ctx) {
    if (locked_) {
      for (std::int64_t k = 0; k < increments_; ++k) {
        std::lock_guard<strain::Mutex> guard(lock_);
        counter_ += 1;
      }
      return;
    }
    // Without the lock `counter.value += 1` is a read and a write that
    // another worker can interleave. Atomic accesses keep it defined
    // behaviour while losing updates exactly as the unlocked original does.
    std::atomic_ref<std::int64_t> c(counter_);
    for (std::int64_t k = 0; k < increments_; ++k) {
      const std::int64_t seen = c.load(std::memory_order_relaxed);
      ctx.point("counter.read");
      c.store(seen + 1, std::memory_order_relaxed);
    }
  }

  void check(strain::Context& ctx) {
    ctx.metric("counter", counter_);
    ctx.metric("workers", ctx.instances_of(0));
  }

 private:
  bool locked_ = true;
  std::int64_t increments_ = 0;
  strain::Mutex lock_;
  std::int64_t counter_ = 0;
};

}  // namespace

STRAIN_SCENARIO(SharedCounter, shared_counter);
