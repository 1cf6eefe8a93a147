#include "spec/diagnostic.hpp"

#include <fmt/format.h>

#include <utility>

namespace strain::spec {

std::string Diagnostic::str() const {
  return fmt::format("{}:{}:{}: {}", loc.file, loc.line, loc.col, message);
}

namespace {

// runtime_error needs its text before the member is built, so the joined
// text is computed from the argument.
std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.str();
  }
  return out;
}

}  // namespace

SpecError::SpecError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace strain::spec
