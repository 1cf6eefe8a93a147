// Two roles of ordinary C++ (built with INSTRUMENT), for the roles run as
// fibers on one thread (schedule.strategy.fibers): what each role keeps per
// thread must follow it across the switches. Variant `cycle`: the roles take
// two std::mutexes in opposite orders, each in a function of its own, so a
// deadlock report names each role's own function (its shadow stack);
// `ordered` takes them in one order and passes. `free_expect`: the second
// role fails through the free strain::expect, which finds the role's context
// through the thread's, after points at which the first role ran.
// `one_thread`: each role notes the OS thread it ran on (gettid) and its
// std::thread::id, and the check fails unless both ran on one OS thread (as
// fibers do, and threads do not) with ids of their own (as threads have:
// pthread_self of a fiber is its stand-in). `rethrow`: each
// role catches an exception of its own, takes the locks inside the catch
// block (points, at which the other role may catch its own), and rethrows:
// it must get its own back. `recursive`: each role takes a
// std::recursive_mutex, again inside (and try_lock, a third time), passes
// points and expects to be alone. `errno`: each role sets errno to a value
// of its own, takes the locks (points, at which the other sets its own) and
// expects its own back, as glibc's locks leave it. `stack`: each role asks
// for its thread's stack (pthread_getattr_np of pthread_self) and expects a
// local variable of its own inside it.

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <strain/plugin.hpp>
#include <string>
#include <string_view>
#include <thread>

namespace {

struct FiberRoles {
  std::mutex a, b;
  std::recursive_mutex r;
  int inside = 0;
  std::atomic<int> together{0};
  pid_t ran_on[2]{};
  std::thread::id ids[2]{};
  bool one_thread = false;

  static void declare(strain::Declare<FiberRoles>& d) {
    d.doc("two roles of plain C++: a lock-order cycle, or a failure through strain::expect")
        .param("variant", "ordered", "what the roles do",
               {"ordered", "cycle", "free_expect", "one_thread", "rethrow", "recursive", "errno",
                "stack"})
        .role("first", &FiberRoles::first, "takes a then b")
        .role("second", &FiberRoles::second, "takes b then a (cycle), or a then b");
  }

  [[gnu::noinline]] void take_a_then_b() {
    std::lock_guard<std::mutex> ga(a);
    std::lock_guard<std::mutex> gb(b);
    together.fetch_add(1);
  }
  [[gnu::noinline]] void take_b_then_a() {
    std::lock_guard<std::mutex> gb(b);
    std::lock_guard<std::mutex> ga(a);
    together.fetch_add(1);
  }

  void setup(strain::Context& ctx) { one_thread = ctx.str_param("variant") == "one_thread"; }

  // Catches an exception that says `mine`, takes the locks inside the catch
  // block, then rethrows it and expects it back.
  void rethrow(strain::Context& ctx, std::string_view mine) {
    try {
      throw std::runtime_error(std::string(mine));
    } catch (...) {
      take_a_then_b();
      try {
        throw;
      } catch (const std::runtime_error& e) {
        ctx.expect(e.what() == mine, "a role rethrew the exception it caught");
      }
    }
  }

  void alone(strain::Context& ctx) {
    std::lock_guard<std::recursive_mutex> g(r);
    ++inside;
    take_a_then_b();
    {
      std::lock_guard<std::recursive_mutex> again(r);
      ctx.expect(r.try_lock(), "the holder takes its recursive mutex a third time");
      take_a_then_b();
      r.unlock();
    }
    take_a_then_b();
    ctx.expect(inside == 1, "one role at a time holds the recursive mutex");
    --inside;
  }

  void own_errno(strain::Context& ctx, int mine) {
    errno = mine;
    for (int k = 0; k < 3; ++k) take_a_then_b();
    ctx.expect(errno == mine, "a role's errno is its own after points");
  }

  static void own_stack(strain::Context& ctx) {
    int local = 0;
    pthread_attr_t attr;
    void* low = nullptr;
    std::size_t size = 0;
    const bool got = pthread_getattr_np(pthread_self(), &attr) == 0;
    if (got) {
      (void)pthread_attr_getstack(&attr, &low, &size);
      pthread_attr_destroy(&attr);
    }
    const auto* at = reinterpret_cast<const char*>(&local);
    ctx.expect(
        got && at >= static_cast<const char*>(low) && at < static_cast<const char*>(low) + size,
        "the thread's stack, as pthread_getattr_np gives it, holds the role's locals");
  }

  void first(strain::Context& ctx) {
    ran_on[0] = gettid();
    ids[0] = std::this_thread::get_id();
    if (ctx.str_param("variant") == "recursive") return alone(ctx);
    if (ctx.str_param("variant") == "rethrow") return rethrow(ctx, "first");
    if (ctx.str_param("variant") == "errno") return own_errno(ctx, EDOM);
    if (ctx.str_param("variant") == "stack") return own_stack(ctx);
    for (int k = 0; k < 3; ++k) take_a_then_b();
  }

  void second(strain::Context& ctx) {
    ran_on[1] = gettid();
    ids[1] = std::this_thread::get_id();
    if (ctx.str_param("variant") == "recursive") return alone(ctx);
    if (ctx.str_param("variant") == "rethrow") return rethrow(ctx, "second");
    if (ctx.str_param("variant") == "errno") return own_errno(ctx, ERANGE);
    if (ctx.str_param("variant") == "stack") return own_stack(ctx);
    const bool cycle = ctx.str_param("variant") == "cycle";
    for (int k = 0; k < 3; ++k) cycle ? take_b_then_a() : take_a_then_b();
    if (ctx.str_param("variant") == "free_expect")
      strain::expect(false, "the second role's free expect");
  }

  void check(strain::Context& ctx) {
    if (!one_thread) return;
    ctx.expect(ran_on[0] == ran_on[1], "the roles ran on one thread");
    ctx.expect(ids[0] != ids[1], "each role has a thread id of its own");
  }
};

}  // namespace

STRAIN_SCENARIO(FiberRoles, fiber_roles)
