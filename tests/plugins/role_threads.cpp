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
// `exit`: the role starts a pthread that takes a lock and ends by
// pthread_exit with a value, which the role's pthread_join must return;
// `tryjoin` joins it by pthread_tryjoin_np, yielding while it says EBUSY,
// and `timedjoin` by pthread_timedjoin_np, then pthread_join if it timed out.

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <strain/plugin.hpp>
#include <string>
#include <thread>

namespace {

struct RoleThreads {
  std::mutex a, b;
  int together = 0;

  static void declare(strain::Declare<RoleThreads>& d) {
    d.doc("a role that starts a std::thread; two std::mutexes")
        .param("variant", "ordered", "lock order of the started thread",
               {"ordered", "cycle", "late_expect", "exit", "tryjoin", "timedjoin"})
        .role("owner", &RoleThreads::owner, "takes a then b, beside the thread it started");
  }

  void owner(strain::Context& ctx) {
    if (ctx.str_param("variant") == "late_expect") return late_expect(ctx);
    const std::string variant(ctx.str_param("variant"));
    if (variant == "exit" || variant == "tryjoin" || variant == "timedjoin")
      return exits(ctx, variant);
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

  static void* exit_with_value(void* p) {
    auto* self = static_cast<RoleThreads*>(p);
    {
      std::lock_guard<std::mutex> ha(self->a);
      ++self->together;
    }
    pthread_exit(reinterpret_cast<void*>(std::intptr_t{42}));
  }

  void exits(strain::Context& ctx, const std::string& join) {
    pthread_t t;
    if (pthread_create(&t, nullptr, &exit_with_value, this) != 0) return ctx.fail("no thread");
    {
      std::lock_guard<std::mutex> ha(a);
      ++together;
    }
    void* result = nullptr;
    if (join == "tryjoin") {
      int rc;
      while ((rc = pthread_tryjoin_np(t, &result)) == EBUSY) sched_yield();
      ctx.expect(rc == 0, "pthread_tryjoin_np joins the thread once it ended");
    } else if (join == "timedjoin") {
      timespec deadline{};
      clock_gettime(CLOCK_REALTIME, &deadline);
      deadline.tv_sec += 3600;
      const int rc = pthread_timedjoin_np(t, &result, &deadline);
      ctx.expect(rc == 0 || rc == ETIMEDOUT, "pthread_timedjoin_np joins or times out");
      if (rc == ETIMEDOUT) pthread_join(t, &result);
    } else {
      pthread_join(t, &result);
    }
    ctx.expect(result == reinterpret_cast<void*>(std::intptr_t{42}),
               "the started thread ended by pthread_exit, with its value");
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
