// A two-role scenario whose set-up allocates on the heap what only the
// set-up and the check use (a vector the roles never touch), and that fails
// its set-up, its check, or crashes in its check at chosen trials. In the
// process topology the step between trials runs in a role process
// (exec/process_lane.hpp): this plugin shows that set-up, check and destroy
// still meet on one heap, that failures there are handed back and counted,
// and that a process killed in the check is named as such.

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <strain/strain.hpp>
#include <vector>

namespace {

class SetupHeap {
 public:
  static void declare(strain::Declare<SetupHeap>& d) {
    d.doc("Set-up allocates what the check reads; fails or crashes at chosen trials")
        .param("items", 64, "ints the set-up allocates on the heap")
        .param("fail_setup_every", 0, "fail the set-up of every n-th trial (0: never)")
        .param("fail_check_every", 0, "fail the check of every n-th trial (0: never)")
        .param("crash_check_at", -1, "the trial whose check kills its process; -1: none")
        .role("first", &SetupHeap::add)
        .role("second", &SetupHeap::add)
        .metric("count", "what the roles added");
  }
  void setup(strain::Context& ctx) {
    const auto every = ctx.int_param("fail_setup_every");
    if (every > 0 && (ctx.trial() + 1) % static_cast<std::uint64_t>(every) == 0)
      throw std::runtime_error("asked to fail this set-up");
    fail_check_every_ = ctx.int_param("fail_check_every");
    crash_check_at_ = ctx.int_param("crash_check_at");
    expected_.resize(static_cast<std::size_t>(ctx.int_param("items")));
    std::iota(expected_.begin(), expected_.end(), static_cast<int>(ctx.trial() % 1000));
  }
  void add(strain::Context&) { count_.fetch_add(1, std::memory_order_relaxed); }
  void check(strain::Context& ctx) {
    // SIGKILL rather than a segfault: ThreadSanitizer turns a SIGSEGV into
    // its own report and exit status 66, the same crash in both builds.
    if (crash_check_at_ >= 0 && ctx.trial() == static_cast<std::uint64_t>(crash_check_at_))
      ::raise(SIGKILL);
    ctx.metric("count", count_.load());
    // The vector the set-up filled: on another heap it would be garbage (or
    // its destructor would free what this heap never allocated).
    const auto n = static_cast<std::int64_t>(expected_.size());
    const std::int64_t first = static_cast<std::int64_t>(ctx.trial() % 1000);
    const std::int64_t sum = std::accumulate(expected_.begin(), expected_.end(), std::int64_t{0});
    ctx.expect(sum == n * first + n * (n - 1) / 2, "the set-up's vector is intact");
    if (fail_check_every_ > 0 &&
        (ctx.trial() + 1) % static_cast<std::uint64_t>(fail_check_every_) == 0)
      ctx.fail("asked to fail this check");
  }

 private:
  std::vector<int> expected_;
  std::int64_t fail_check_every_ = 0, crash_check_at_ = -1;
  std::atomic<std::int64_t> count_{0};
};

}  // namespace

STRAIN_SCENARIO(SetupHeap, setup_heap);
