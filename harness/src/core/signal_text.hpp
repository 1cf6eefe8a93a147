#pragma once
// How strain names a signal in every message: the worker, a role process or
// a plugin probe killed by one.

#include <string>

namespace strain {

//! "SIGSEGV (Segmentation fault)"; "SIG<number> (...)" for a signal glibc
//! has no abbreviation for.
std::string signal_text(int sig);

}  // namespace strain
