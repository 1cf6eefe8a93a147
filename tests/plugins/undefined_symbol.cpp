// A plugin that needs a function nobody defines: loading it must fail with
// the symbol's name, not crash later when a role calls it.

#include <strain/strain.hpp>

extern "C" void strain_test_function_nobody_defines();

namespace {
struct Missing {
  static void declare(strain::Declare<Missing>& d) { d.role("r", &Missing::r); }
  void r(strain::Context&) { strain_test_function_nobody_defines(); }
};
}  // namespace

STRAIN_SCENARIO(Missing, missing_symbol);
