#include "sched/strategy.hpp"

#include <sched.h>

#include <ctime>

#include "model/seed.hpp"
#include "runtime/abi_types.hpp"
#include "sched/chaos.hpp"
#include "sched/controller.hpp"

namespace strain::sched {

namespace {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  asm volatile("" ::: "memory");
#endif
}

void random_point(Context& ctx, const char*, const void*, detail::Access kind) noexcept {
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(ctx).sched);
  if (kind == detail::Access::yield) {
    ::sched_yield();
    return;
  }
  const RandomState& st = ts.random;
  const double r = ts.rng.real();
  if (r < st.yield_cut) {
    ::sched_yield();
  } else if (r < st.spin_cut) {
    for (std::int64_t k = 0; k < st.spin_iters; ++k) cpu_relax();
  } else if (r < st.sleep_cut) {
    timespec t{0, static_cast<long>(st.sleep_ns)};
    ::nanosleep(&t, nullptr);
  }
}

void controlled_point(Context& ctx, const char* label, const void* object,
                      detail::Access kind) noexcept {
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(ctx).sched);
  ts.controller->point(ts.index, label, object, kind);
}

}  // namespace

void install(const model::Strategy& s, Context& context, ThreadSched& ts, unsigned index,
             unsigned threads, Controller* controller) {
  detail::ContextData& ctx = detail::context_data(context);
  detail::PointFn& point_fn = detail::point_fn(context);
  ts.index = index;
  ts.controller = nullptr;
  ts.chaos.active = false;
  point_fn = nullptr;
  ctx.hooks = nullptr;
  ctx.sched = nullptr;
  using model::StrategyName;
  if (s.name == StrategyName::random) {
    ts.random.yield_cut = s.yield_p;
    ts.random.spin_cut = s.yield_p + s.spin_p;
    ts.random.sleep_cut = s.yield_p + s.spin_p + s.sleep_p;
    ts.random.spin_iters = s.spin_iters;
    ts.random.sleep_ns = static_cast<std::int64_t>(s.sleep_us * 1000.0);
    point_fn = &random_point;
  } else if (s.name == StrategyName::chaos) {
    chaos_configure(s, threads, ts.chaos);
    point_fn = &chaos_point;
  } else if (s.name == StrategyName::controlled && controller != nullptr) {
    ts.controller = controller;
    point_fn = &controlled_point;
    ctx.hooks = controller->hooks();
  } else {
    return;
  }
  ctx.sched = &ts;
}

void reseed(ThreadSched& ts, std::uint64_t trial_seed) {
  ts.rng.reseed(model::strategy_seed(trial_seed, ts.index));
  if (ts.chaos.active) chaos_begin_trial(ts, trial_seed);
}

void role_started(Context& ctx) noexcept {
  if (detail::context_data(ctx).sched == nullptr) return;
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(ctx).sched);
  if (ts.controller != nullptr) return ts.controller->thread_start(ts.index);
  detail::point_fn(ctx)(ctx, "thread.start", nullptr, detail::Access::none);
}

void role_ended(Context& ctx) noexcept {
  if (detail::context_data(ctx).sched == nullptr) return;
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(ctx).sched);
  if (ts.controller != nullptr) return ts.controller->thread_end(ts.index);
  detail::point_fn(ctx)(ctx, "thread.end", nullptr, detail::Access::none);
}

}  // namespace strain::sched
