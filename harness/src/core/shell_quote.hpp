#pragma once
// Quoting for the commands strain prints for a human to paste into a shell:
// replay lines, the debugger line. A case id carries matrix values and a
// path may hold any byte, so every word is quoted unless it is plainly safe.

#include <string>
#include <string_view>
#include <vector>

namespace strain {

//! `word` as one POSIX shell word that expands to exactly `word`: unchanged
//! when it holds only characters no shell treats specially
//! ([A-Za-z0-9_@%+=:,./-]), else in single quotes with each ' written '\''.
//! The empty word is ''.
std::string shell_quote(std::string_view word);

//! The words, each quoted, separated by single spaces.
std::string shell_join(const std::vector<std::string>& words);

}  // namespace strain
