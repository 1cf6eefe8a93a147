// Publication without release: the writer stores the data, then sets a
// ready flag, both relaxed; the reader waits for the flag and reads the
// data, both relaxed. Nothing orders the data before the flag for the
// reader, so it may read the data's old value. x86 never shows it; the
// controlled scheduler's weak memory model does.
// Fixed: the flag is stored with release and loaded with acquire.

#include "work.hpp"

namespace {

class Publication {
 public:
  static void declare(strain::Declare<Publication>& d) {
    d.doc("Kernel: data published behind a relaxed flag");
    kernels::variants(d);
    d.param("work", 300, "iterations of local work before publishing")
        .role("writer", &Publication::writer, "stores the data, then the flag")
        .role("reader", &Publication::reader, "waits for the flag, then reads the data");
  }
  void setup(strain::Context& ctx) {
    bug_ = kernels::buggy(ctx);
    work_ = ctx.int_param("work");
  }
  void writer(strain::Context&) {
    kernels::work(work_);
    data_.store(42, std::memory_order_relaxed);
    ready_.store(true, bug_ ? std::memory_order_relaxed : std::memory_order_release);
  }
  void reader(strain::Context& ctx) {
    while (!ready_.load(bug_ ? std::memory_order_relaxed : std::memory_order_acquire))
      strain::yield();
    const std::int64_t d = data_.load(std::memory_order_relaxed);
    ctx.expect(d == 42,
               "the reader saw the flag but not the data (read " + std::to_string(d) + ")");
  }

 private:
  bool bug_ = true;
  std::int64_t work_ = 0;
  strain::Atomic<std::int64_t> data_{0};
  strain::Atomic<bool> ready_{false};
};

}  // namespace

STRAIN_SCENARIO(Publication, publication);
