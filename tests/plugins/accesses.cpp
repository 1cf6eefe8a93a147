// Roles whose only shared operations are strain::Atomic stores and loads,
// on one shared variable or each on its own, optionally under a mutex (one
// for all writers, or each its own), readers optionally spinning until a
// writer stored (with or without a yield in the spin): the numbers of distinct orders of their conflicting operations are known, so
// a test can check that controlled/dfs runs each exactly once (DPOR).

#include <array>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>
#include <string_view>

namespace {

class Accesses {
 public:
  static constexpr std::uint32_t kMax = 8;

  static void declare(strain::Declare<Accesses>& d) {
    d.doc("Writers store and readers load, on one variable or each on its own")
        .param("ops", 1, "operations each role runs")
        .param("shared", true, "all roles use one variable (else each its own)")
        .param("locked", false, "writers store under a mutex")
        .param("own_mutex", false, "each writer locks its own mutex (else one for all)")
        .param("spin", "off", "readers load until they see a store: off, bare or yield",
               {"off", "bare", "yield"})
        .param("same", false, "a reader expects each of its loads to see the first one's value")
        .role("writer", &Accesses::writer, "stores its instance + 1", 0)
        .role("reader", &Accesses::reader, "loads", 0)
        .metric("last", "the shared variable at the end")
        .metric("seen", "the sum of what the readers loaded");
  }
  void setup(strain::Context& ctx) {
    ops_ = ctx.int_param("ops");
    shared_ = ctx.bool_param("shared");
    locked_ = ctx.bool_param("locked");
    own_mutex_ = ctx.bool_param("own_mutex");
    same_ = ctx.bool_param("same");
    const std::string_view spin = ctx.str_param("spin");
    spin_ = spin == "off" ? Spin::off : spin == "bare" ? Spin::bare : Spin::yield;
  }
  void writer(strain::Context& ctx) {
    strain::Atomic<std::int64_t>& v = var(ctx);
    for (std::int64_t k = 0; k < ops_; ++k) {
      if (locked_) {
        std::lock_guard<strain::Mutex> hold(own_mutex_ ? mutexes_[ctx.instance() % kMax] : m_);
        v.store(ctx.instance() + 1);
      } else {
        v.store(ctx.instance() + 1);
      }
    }
  }
  void reader(strain::Context& ctx) {
    strain::Atomic<std::int64_t>& v = var(ctx);
    std::int64_t first = 0;
    for (std::int64_t k = 0; k < ops_; ++k) {
      std::int64_t x = v.load();
      if (k == 0) first = x;
      if (same_) ctx.expect(x == first, "a load saw another value than the first");
      while (spin_ != Spin::off && x == 0) {
        if (spin_ == Spin::yield) ctx.yield();
        x = v.load();
      }
      seen_ += x;
    }
  }
  void check(strain::Context& ctx) {
    ctx.metric("last", vars_[0].load());
    ctx.metric("seen", seen_.load());
  }

 private:
  // Writer k's own variable is slot k + 1, reader k's slot kMax + k + 1.
  strain::Atomic<std::int64_t>& var(strain::Context& ctx) {
    if (shared_) return vars_[0];
    const std::uint32_t base = ctx.role() == 0 ? 1 : kMax + 1;
    return vars_[base + ctx.instance() % kMax];
  }

  enum class Spin { off, bare, yield };

  std::int64_t ops_ = 1;
  Spin spin_ = Spin::off;
  bool same_ = false;
  bool shared_ = true, locked_ = false, own_mutex_ = false;
  strain::Mutex m_;
  std::array<strain::Mutex, kMax> mutexes_;
  // 64 bytes apart: DPOR tells variables apart by their 8-byte granule.
  struct alignas(64) Slot : strain::Atomic<std::int64_t> {};
  std::array<Slot, 2 * kMax + 1> vars_{};
  std::atomic<std::int64_t> seen_{0};  // not a schedule point: the check's tally
};

}  // namespace

STRAIN_SCENARIO(Accesses, accesses);
