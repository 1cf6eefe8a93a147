// A role-based scenario (not a test body) whose role starts a std::thread of
// its own: under the controlled strategy that thread joins the trial's
// schedule. Variant `cycle`: the role and its thread take two std::mutexes
// in opposite orders, a deadlock the scheduler must report with both
// threads' waits; `ordered` takes them in one order and passes.
// `late_expect`: instance 0 starts a thread that fails an expect and leaves
// it running (detached); the other instances take a lock a few times, so
// the thread often ends, its failure recorded into instance 0's context,
// after instance 0's role ended and before the trial did. Every trial
// fails: that expect, or the thread still running when the roles ended.

#include <strain/plugin.hpp>

#include <mutex>
#include <thread>

namespace {

struct RoleThreads {
  std::mutex a, b;
  int together = 0;

  static void declare(strain::Declare<RoleThreads>& d) {
    d.doc("a role that starts a std::thread; two std::mutexes")
        .param("variant", "ordered", "lock order of the started thread",
               {"ordered", "cycle", "late_expect"})
        .role("owner", &RoleThreads::owner, "takes a then b, beside the thread it started");
  }

  void owner(strain::Context& ctx) {
    if (ctx.str_param("variant") == "late_expect") return late_expect(ctx);
    const bool cycle = ctx.str_param("variant") == "cycle";
    std::thread helper([&] {
      if (cycle) {
        std::lock_guard<std::mutex> hb(b);
        std::lock_guard<std::mutex> ha(a);
        ++together;
      } else {
        std::lock_guard<std::mutex> ha(a);
        std::lock_guard<std::mutex> hb(b);
        ++together;
      }
    });
    {
      std::lock_guard<std::mutex> ha(a);
      std::lock_guard<std::mutex> hb(b);
      ++together;
    }
    helper.join();
    ctx.expect(together == 2, "both threads took both locks");
  }

  void late_expect(strain::Context& ctx) {
    if (ctx.instance() == 0) {
      std::thread([] { strain::expect(false, "the started thread's expect"); }).detach();
      return;
    }
    for (int k = 0; k < 4; ++k) {
      std::lock_guard<std::mutex> ha(a);
      ++together;
    }
  }
};

}  // namespace

STRAIN_SCENARIO(RoleThreads, role_threads)
