// Never returns from a static constructor: the probe must give up on it.

#include <unistd.h>

#include "../crashing/common.hpp"

namespace {

struct Hang {
  Hang() {
    for (;;) ::pause();
  }
} hang_at_load;

}  // namespace

STRAIN_SCENARIO(crashing::Harmless, hang_at_load);
