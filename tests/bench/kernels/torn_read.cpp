// Torn read: a writer updates a pair (x, y) that must stay equal, under a
// lock; a reader reads the pair without the lock, one atomic load per field,
// and can see x from one update and y from another.
// Fixed: the reader takes the lock too.

#include <mutex>

#include "work.hpp"

namespace {

class TornRead {
 public:
  static void declare(strain::Declare<TornRead>& d) {
    d.doc("Kernel: a two-field invariant read without the writer's lock");
    kernels::variants(d);
    d.param("updates", 2, "updates by the writer, reads by the reader")
        .param("work", 300, "iterations of local work before each update or read")
        .role("writer", &TornRead::writer, "sets x and y to the same new value, under the lock")
        .role("reader", &TornRead::reader, "reads x and y and expects them equal");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    updates_ = ctx.int_param("updates");
    work_ = ctx.int_param("work");
  }
  void writer(strain::Context&) {
    for (std::int64_t k = 1; k <= updates_; ++k) {
      kernels::work(work_);
      std::lock_guard<strain::Mutex> g(m_);
      x_.store(k);
      y_.store(k);
    }
  }
  void reader(strain::Context& ctx) {
    for (std::int64_t k = 0; k < updates_; ++k) {
      kernels::work(work_);
      std::int64_t x, y;
      if (bug_) {
        x = x_.load();
        y = y_.load();
      } else {
        std::lock_guard<strain::Mutex> g(m_);
        x = x_.load();
        y = y_.load();
      }
      ctx.expect(x == y, "torn read: x=" + std::to_string(x) + " y=" + std::to_string(y));
    }
  }

 private:
  bool bug_ = true;
  std::int64_t updates_ = 0, work_ = 0;
  strain::Mutex m_;
  strain::Atomic<std::int64_t> x_{0}, y_{0};
};

}  // namespace

STRAIN_SCENARIO(TornRead, torn_read);
