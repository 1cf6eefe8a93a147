// Segfaults in a static constructor, that is inside dlopen().

#include "common.hpp"

namespace {

struct Crash {
  Crash() {
    // A volatile store through a volatile pointer: the compiler can neither
    // fold the address nor drop the store as unobservable.
    volatile int* volatile nowhere = nullptr;
    *nowhere = 1;
  }
} crash_at_load;

}  // namespace

STRAIN_SCENARIO(crashing::Harmless, segv_at_load);
