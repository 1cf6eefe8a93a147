// Calls exit(3) from a static constructor, as a plugin that "handles" a
// failed initialisation by ending the process would.

#include <cstdlib>

#include "common.hpp"

namespace {

struct Quit {
  Quit() { std::exit(3); }
} quit_at_load;

}  // namespace

STRAIN_SCENARIO(crashing::Harmless, exit_at_load);
