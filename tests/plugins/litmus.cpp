// Litmus tests of the weak memory model, two roles of two accesses each,
// and the outcome each must never show (its check fails when it does):
//  - mp (message passing): left stores data, then a flag; right loads the
//    flag, then the data. Never: the flag seen, the data not. Forbidden
//    with release/acquire or seq_cst, allowed with relaxed.
//  - sb (store buffering): each stores its variable, then loads the
//    other's. Never: both load 0. Forbidden only with seq_cst.
//  - mp_locked: mp with relaxed accesses, the flag stored and loaded under
//    a mutex (one for both, or each role its own). Forbidden with one
//    mutex, allowed with two.
// So a search that explores what the model allows fails exactly the
// allowed ones, and one that is sequentially consistent fails none.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>
#include <string>
#include <string_view>

namespace {

class Litmus {
 public:
  static void declare(strain::Declare<Litmus>& d) {
    d.doc("Two-thread litmus tests of the weak memory model")
        .param("shape", "mp", "mp, sb or mp_locked", {"mp", "sb", "mp_locked"})
        .param("order", "relaxed", "the flag's (mp) or every access's (sb) memory order",
               {"relaxed", "release_acquire", "seq_cst"})
        .param("own_mutex", false, "mp_locked: each role locks its own mutex")
        .role("left", &Litmus::left, "stores (sb: then loads)")
        .role("right", &Litmus::right, "loads (sb: stores, then loads)");
  }
  void setup(strain::Context& ctx) {
    const std::string_view shape = ctx.str_param("shape");
    shape_ = shape == "mp" ? Shape::mp : shape == "sb" ? Shape::sb : Shape::mp_locked;
    const std::string_view order = ctx.str_param("order");
    store_ = order == "relaxed"           ? std::memory_order_relaxed
             : order == "release_acquire" ? std::memory_order_release
                                          : std::memory_order_seq_cst;
    load_ = order == "relaxed"           ? std::memory_order_relaxed
            : order == "release_acquire" ? std::memory_order_acquire
                                         : std::memory_order_seq_cst;
    own_mutex_ = ctx.bool_param("own_mutex");
  }
  void left(strain::Context&) {
    switch (shape_) {
      case Shape::mp:
        x_.store(1, std::memory_order_relaxed);
        y_.store(1, store_);
        break;
      case Shape::sb:
        x_.store(1, store_);
        r1_ = y_.load(load_);
        break;
      case Shape::mp_locked: {
        x_.store(1, std::memory_order_relaxed);
        std::lock_guard<strain::Mutex> hold(m_[0]);
        y_.store(1, std::memory_order_relaxed);
        break;
      }
    }
  }
  void right(strain::Context&) {
    switch (shape_) {
      case Shape::mp:
        r1_ = y_.load(load_);
        r2_ = x_.load(std::memory_order_relaxed);
        break;
      case Shape::sb:
        y_.store(1, store_);
        r2_ = x_.load(load_);
        break;
      case Shape::mp_locked: {
        {
          std::lock_guard<strain::Mutex> hold(m_[own_mutex_ ? 1 : 0]);
          r1_ = y_.load(std::memory_order_relaxed);
        }
        r2_ = x_.load(std::memory_order_relaxed);
        break;
      }
    }
  }
  void check(strain::Context& ctx) {
    const std::string seen = "r1=" + std::to_string(r1_) + " r2=" + std::to_string(r2_);
    if (shape_ == Shape::sb)
      ctx.expect(r1_ == 1 || r2_ == 1, "both loads read 0 (" + seen + ")");
    else
      ctx.expect(r1_ == 0 || r2_ == 1, "the flag was seen, the data not (" + seen + ")");
  }

 private:
  enum class Shape { mp, sb, mp_locked };

  Shape shape_ = Shape::mp;
  std::memory_order store_ = std::memory_order_relaxed;
  std::memory_order load_ = std::memory_order_relaxed;
  bool own_mutex_ = false;
  strain::Mutex m_[2];
  // 64 bytes apart: the search tells variables apart by their 8-byte granule.
  alignas(64) strain::Atomic<std::int64_t> x_{0};
  alignas(64) strain::Atomic<std::int64_t> y_{0};
  // Written by one role, read by check after the trial: no schedule points.
  std::int64_t r1_ = -1, r2_ = -1;
};

}  // namespace

STRAIN_SCENARIO(Litmus, litmus);
