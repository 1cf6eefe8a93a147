#pragma once
// The host's three error channels (STYLE.md, point 7):
//  1. a broken internal invariant aborts with a message: STRAIN_CHECK;
//  2. a bad spec or flag is a typed exception caught in main (exit 2):
//     UsageError here, spec::SpecError for specs;
//  3. a scenario failure is data in its result, never an exception.

#include <stdexcept>
#include <string>

namespace strain {

//! A bad command line or option value; main prints it and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] void check_failed(const char* expr, const char* file, int line,
                               const std::string& msg);
}  // namespace detail

}  // namespace strain

//! Aborts with a message when an internal invariant is broken.
#define STRAIN_CHECK(cond, msg)                                                  \
  do {                                                                           \
    if (!(cond)) ::strain::detail::check_failed(#cond, __FILE__, __LINE__, msg); \
  } while (false)
