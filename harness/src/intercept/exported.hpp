#pragma once
// What every function the host exports in place of the C library's shares
// (exports.cpp, exports_io.cpp).

#include "sched/steer.hpp"

#define STRAIN_EXPORT extern "C" __attribute__((visibility("default")))

// True on a thread of a steered trial, which then notes where the code under
// test called from (for deadlock and hang reports, sched/shadow_stack.hpp).
// A macro, not a function: __builtin_return_address(0) must be taken in the
// exported function itself, whose caller is the user's code.
#define steered()                         \
  (strain::sched::tls_steer != nullptr && \
   (strain::sched::tls_steer->site = __builtin_return_address(0), true))
