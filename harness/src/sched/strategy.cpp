#include "sched/strategy.hpp"

#include <sched.h>

#include <ctime>

namespace strain::sched {

namespace {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  asm volatile("" ::: "memory");
#endif
}

void random_point(Context& ctx, const char* /*label*/) noexcept {
  auto& st = *static_cast<RandomState*>(ctx.d_.sched);
  const double r = st.rng.real();
  if (r < st.yield_cut) {
    ::sched_yield();
  } else if (r < st.spin_cut) {
    for (std::int64_t k = 0; k < st.spin_iters; ++k) cpu_relax();
  } else if (r < st.sleep_cut) {
    timespec ts{0, static_cast<long>(st.sleep_ns)};
    ::nanosleep(&ts, nullptr);
  }
}

}  // namespace

bool known_strategy(const std::string& name) { return name == "none" || name == "random"; }

void install(const spec::Strategy& s, detail::ContextData& ctx, RandomState& state) {
  if (s.name != "random") {
    ctx.point_fn = nullptr;
    ctx.sched = nullptr;
    return;
  }
  state.yield_cut = s.yield_p;
  state.spin_cut = s.yield_p + s.spin_p;
  state.sleep_cut = s.yield_p + s.spin_p + s.sleep_p;
  state.spin_iters = s.spin_iters;
  state.sleep_ns = static_cast<std::int64_t>(s.sleep_us * 1000.0);
  ctx.point_fn = &random_point;
  ctx.sched = &state;
}

void reseed(RandomState& state, std::uint64_t seed) {
  state.rng.reseed(seed ^ 0x5851f42d4c957f2dULL);
}

}  // namespace strain::sched
