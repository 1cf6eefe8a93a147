// Loads cleanly, then aborts when the host asks it to describe itself.

#include <cstdlib>
#include <strain/strain.hpp>

namespace {

struct AbortInDeclare {
  static void declare(strain::Declare<AbortInDeclare>&) { std::abort(); }
  void setup(strain::Context&) {}
  void only(strain::Context&) {}
  void check(strain::Context&) {}
};

}  // namespace

STRAIN_SCENARIO(AbortInDeclare, abort_in_declare);
