#include "core/errors.hpp"

#include <cstdio>
#include <cstdlib>

namespace strain::detail {

void check_failed(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "strain: internal error at %s:%d: %s (%s)\n", file, line, msg.c_str(), expr);
  std::abort();
}

}  // namespace strain::detail
