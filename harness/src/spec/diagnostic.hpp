#pragma once
// Errors in a spec, each with the place it was found.

#include <stdexcept>
#include <string>
#include <vector>

namespace strain::spec {

//! A place in a spec file; line and col are 1-based.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;
};

//! One error in a spec.
struct Diagnostic {
  SourceLoc loc;
  std::string message;
  //! "file:line:col: message"
  std::string str() const;
};

//! Every error found in a spec file. The spec is rejected whole: nothing of
//! it runs. what() holds one diagnostic per line.
class SpecError : public std::runtime_error {
 public:
  explicit SpecError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace strain::spec
