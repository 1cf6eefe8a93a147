// Built with STRAIN_ABI_VERSION=999: the host must refuse it by name.

#include <strain/strain.hpp>

namespace {
struct Old {
  static void declare(strain::Declare<Old>& d) { d.role("r", &Old::r); }
  void r(strain::Context&) {}
};
}  // namespace

STRAIN_SCENARIO(Old, from_the_future);
