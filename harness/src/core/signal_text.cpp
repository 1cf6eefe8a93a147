#include "core/signal_text.hpp"

#include <fmt/format.h>

#include <cstring>

namespace strain {

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return fmt::format("SIG{} ({})", abbrev != nullptr ? abbrev : std::to_string(sig).c_str(),
                     strsignal(sig));
}

}  // namespace strain
