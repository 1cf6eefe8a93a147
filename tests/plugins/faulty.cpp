// A scenario that fails in a chosen way, to test how the harness classifies
// failures that stay inside the process (exceptions, expect, setup errors).

#include <stdexcept>
#include <strain/strain.hpp>
#include <string_view>

namespace {

class Faulty {
 public:
  static void declare(strain::Declare<Faulty>& d) {
    d.doc("Fails on purpose: mode picks how")
        .param("mode", "none", "how to fail",
               {"none", "throw_in_role", "throw_in_setup", "throw_in_check", "expect",
                "metric_in_role", "unrecorded_metric"})
        .role("actor", &Faulty::actor)
        .metric("value", "always 1 unless mode is unrecorded_metric");
  }
  void setup(strain::Context& ctx) {
    mode_ = ctx.str_param("mode");
    if (mode_ == "throw_in_setup") throw std::runtime_error("setup exploded");
  }
  void actor(strain::Context& ctx) {
    if (mode_ == "throw_in_role") throw std::runtime_error("role exploded");
    if (mode_ == "expect") ctx.expect(1 + 1 == 3, "arithmetic still works");
    if (mode_ == "metric_in_role") ctx.metric("value", 1);
  }
  void check(strain::Context& ctx) {
    if (mode_ == "throw_in_check") throw std::logic_error("check exploded");
    if (mode_ != "unrecorded_metric") ctx.metric("value", 1);
  }

 private:
  std::string_view mode_;
};

}  // namespace

STRAIN_SCENARIO(Faulty, faulty);
