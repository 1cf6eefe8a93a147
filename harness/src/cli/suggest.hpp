#pragma once
// "Did you mean `run`?": the closest of the words a user could have meant,
// as git and cargo suggest for a misspelt subcommand.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strain::cli {

//! The optimal-string-alignment distance between `a` and `b`: insertions,
//! deletions, substitutions and swaps of two neighbours each count 1, so
//! "rnu" is 1 from "run".
std::size_t edit_distance(std::string_view a, std::string_view b);

//! The candidate nearest to `word`, if one is near enough to be a typo of
//! it (at most 2 edits, and fewer than half its length); the first on a tie.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace strain::cli
