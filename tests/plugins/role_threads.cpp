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
// `deep_stack`: instance 1 starts a pthread with a 64 MiB stack
// (pthread_attr_setstacksize) that recurses through 24 MiB of it, past the
// 8 MiB a thread (or fiber) has by default; instance 0 one with the default
// stack that recurses through 2 MiB (which of them takes a slot first, and
// so whose stack the slot's fiber has, varies from trial to trial).
// `barrier`: every instance writes its slot and waits on a pthread barrier
// of all of them, twice, and expects every slot written when it leaves; the
// check expects one PTHREAD_BARRIER_SERIAL_THREAD per round.
// `keys`: every instance sets a pthread key's value of its own, starts a
// thread that sets its own value of the same key (with a destructor that
// counts), both pass points at which the others set theirs, and each
// expects its own value back; after the join the instance expects its
// thread's destructor to have run (glibc runs them before pthread_join
// returns), and clears its value.

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
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
  static constexpr std::uint32_t kMaxInstances = 16;
  pthread_barrier_t barrier;
  bool has_barrier = false;
  int written[kMaxInstances] = {};
  // Key destructors run per instance's started thread; kept across trials
  // (the object is per trial, so static).
  static inline std::atomic<int> destroyed[kMaxInstances] = {};
  int serial = 0;

  RoleThreads() = default;
  RoleThreads(const RoleThreads&) = delete;
  RoleThreads& operator=(const RoleThreads&) = delete;
  ~RoleThreads() {
    if (has_barrier) pthread_barrier_destroy(&barrier);
  }
  void setup(strain::Context& ctx) {
    const std::uint32_t n = ctx.instances_of(0);
    if (ctx.str_param("variant") != "barrier" || n > kMaxInstances) return;
    has_barrier = pthread_barrier_init(&barrier, nullptr, n) == 0;
  }
  void check(strain::Context& ctx) {
    if (has_barrier) ctx.expect(serial == 2, "one thread of each round was the serial one");
  }

  static void declare(strain::Declare<RoleThreads>& d) {
    d.doc("a role that starts a std::thread; two std::mutexes")
        .param("variant", "ordered", "lock order of the started thread",
               {"ordered", "cycle", "late_expect", "exit", "tryjoin", "timedjoin", "deep_stack",
                "barrier", "keys"})
        .role("owner", &RoleThreads::owner, "takes a then b, beside the thread it started");
  }

  void owner(strain::Context& ctx) {
    if (ctx.str_param("variant") == "late_expect") return late_expect(ctx);
    const std::string variant(ctx.str_param("variant"));
    if (variant == "exit" || variant == "tryjoin" || variant == "timedjoin")
      return exits(ctx, variant);
    if (variant == "deep_stack") return deep_stack(ctx);
    if (variant == "barrier") return meet(ctx);
    if (variant == "keys") return own_keys(ctx);
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

  // 1 MiB of stack per call, each page touched.
  [[gnu::noinline]] static long recurse(int depth) {
    volatile char frame[1 << 20];
    for (std::size_t k = 0; k < sizeof frame; k += 4096) frame[k] = static_cast<char>(depth);
    return depth == 0 ? frame[0] : recurse(depth - 1) + frame[4096];
  }
  static void* deep(void*) { return reinterpret_cast<void*>(recurse(24)); }
  static void* shallow(void*) { return reinterpret_cast<void*>(recurse(2)); }

  void deep_stack(strain::Context& ctx) {
    const bool deeper = ctx.instance() == 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (deeper) pthread_attr_setstacksize(&attr, std::size_t{64} << 20);
    pthread_t t;
    const int rc = pthread_create(&t, &attr, deeper ? &deep : &shallow, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) return ctx.fail("no thread");
    {
      std::lock_guard<std::mutex> ha(a);
      ++together;
    }
    void* result = nullptr;
    pthread_join(t, &result);
    ctx.expect(reinterpret_cast<long>(result) == (deeper ? 24 * 25 / 2 : 2 * 3 / 2),
               "the thread recursed through the stack it asked for");
  }

  void meet(strain::Context& ctx) {
    if (!has_barrier) return ctx.fail("no barrier (more than 16 instances?)");
    const std::uint32_t me = ctx.instance(), n = ctx.instances_of(0);
    for (int round = 1; round <= 2; ++round) {
      {
        std::lock_guard<std::mutex> ha(a);
        written[me] = round;
      }
      const int rc = pthread_barrier_wait(&barrier);
      std::lock_guard<std::mutex> ha(a);
      if (rc == PTHREAD_BARRIER_SERIAL_THREAD) ++serial;
      for (std::uint32_t k = 0; k < n; ++k)
        ctx.expect(written[k] >= round, "every instance arrived before any left the barrier");
    }
  }

  struct KeyValue {
    RoleThreads* owner;
    std::uint32_t instance;
    bool started;  // the started thread's value (counted by its destructor)
  };
  static pthread_key_t key() {
    static const pthread_key_t k = [] {
      pthread_key_t made;
      pthread_key_create(&made, [](void* v) {
        auto* kv = static_cast<KeyValue*>(v);
        if (kv->started) kv->owner->destroyed[kv->instance].fetch_add(1);
      });
      return made;
    }();
    return k;
  }
  // Sets `mine`, passes two points, and says whether the value is still it.
  bool keeps(const KeyValue* mine) {
    pthread_setspecific(key(), mine);
    for (int k = 0; k < 2; ++k) {
      std::lock_guard<std::mutex> ha(a);
      ++together;
    }
    return pthread_getspecific(key()) == mine;
  }

  void own_keys(strain::Context& ctx) {
    const std::uint32_t me = ctx.instance();
    if (me >= kMaxInstances) return ctx.fail("more than 16 instances");
    const int before = destroyed[me].load();
    KeyValue role_value{this, me, false};
    KeyValue* thread_value = new KeyValue{this, me, true};
    bool thread_kept = false;
    std::thread helper([&] { thread_kept = keeps(thread_value); });
    const bool role_kept = keeps(&role_value);
    helper.join();
    ctx.expect(role_kept, "the role's pthread key value stayed its own");
    ctx.expect(thread_kept, "the started thread's pthread key value stayed its own");
    ctx.expect(destroyed[me].load() == before + 1,
               "the started thread's key destructor ran before its join returned");
    pthread_setspecific(key(), nullptr);
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
