#include "core/shell_quote.hpp"

#include <algorithm>

namespace strain {

namespace {

// The characters Python's shlex.quote leaves bare: none of them is special to
// sh, bash, zsh or dash in any position but the first ('=' and '~' at the
// start of a word are; '~' is not here, and a word starting with '=' only
// matters to zsh's =cmd expansion, so it is quoted too).
bool safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '%' || c == '+' || c == '=' || c == ':' || c == ',' || c == '.' ||
         c == '/' || c == '-';
}

}  // namespace

std::string shell_quote(std::string_view word) {
  if (!word.empty() && word.front() != '=' && std::all_of(word.begin(), word.end(), safe))
    return std::string(word);
  // Inside single quotes nothing is special, not even a backslash; a quote
  // itself ends the quoted part, is written escaped, and a new one starts.
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string shell_join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += shell_quote(w);
  }
  return out;
}

}  // namespace strain
