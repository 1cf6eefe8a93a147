// A lazily initialised resource shared by two roles: each role asks for it,
// and it must be initialised exactly once. The fixed variant initialises
// under a std::call_once; bug_check_then_init tests a flag, reaches a
// schedule point, then initialises and sets the flag, so both roles can
// initialise it.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <strain/strain.hpp>

namespace {

class LazyInit {
 public:
  static void declare(strain::Declare<LazyInit>& d) {
    d.doc("two roles use a lazily initialised resource; it must be initialised once")
        .param("variant", "fixed", "which code runs", {"fixed", "bug_check_then_init"})
        .role("reader", &LazyInit::use, "uses the resource")
        .role("writer", &LazyInit::use, "uses the resource too")
        .metric("inits", "how many times the resource was initialised");
  }
  void setup(strain::Context& ctx) { fixed_ = ctx.str_param("variant") == "fixed"; }
  void use(strain::Context& ctx) {
    if (fixed_) {
      std::call_once(once_, [this] { inits_.fetch_add(1); });
      return;
    }
    if (!ready_.load()) {
      ctx.point("after the check");
      inits_.fetch_add(1);
      ready_.store(true);
    }
  }
  void check(strain::Context& ctx) { ctx.metric("inits", inits_.load()); }

 private:
  bool fixed_ = true;
  std::once_flag once_;
  std::atomic<bool> ready_{false};
  std::atomic<std::int64_t> inits_{0};
};

}  // namespace

STRAIN_SCENARIO(LazyInit, lazy_init);
