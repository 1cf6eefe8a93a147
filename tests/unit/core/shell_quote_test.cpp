// shell_quote() against the shell itself: every quoted word, given to sh,
// comes back as exactly the original bytes.

#include "core/shell_quote.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

// What sh makes of `words`: printf prints each argument between brackets.
std::string through_sh(const std::string& words) {
  const std::string cmd = "printf '[%s]' " + words;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 256> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

TEST(ShellQuote, SafeWordsStayBare) {
  EXPECT_EQ(strain::shell_quote("bank_account/bug_unlocked/topology=threads"),
            "bank_account/bug_unlocked/topology=threads");
  EXPECT_EQ(strain::shell_quote("/abs/path/spec.yaml"), "/abs/path/spec.yaml");
  EXPECT_EQ(strain::shell_quote("--seed"), "--seed");
}

TEST(ShellQuote, EverythingElseIsSingleQuoted) {
  EXPECT_EQ(strain::shell_quote(""), "''");
  EXPECT_EQ(strain::shell_quote("a b"), "'a b'");
  EXPECT_EQ(strain::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(strain::shell_quote("=x"), "'=x'");
  EXPECT_EQ(strain::shell_quote("~/x"), "'~/x'");
}

TEST(ShellQuote, ShellGivesBackTheExactBytes) {
  for (const std::string word :
       {"$(touch /nonexistent/x)", "`id`", "a;b", "x && y", "'", "\"", "\\", "a\nb", "*", "?",
        "$HOME", "${x:-y}", "!!", "#c", "é ü", "tab\there", "=eq", "~", "a'b\"c`d$e"}) {
    SCOPED_TRACE(word);
    EXPECT_EQ(through_sh(strain::shell_quote(word)), "[" + word + "]");
  }
  EXPECT_EQ(through_sh(strain::shell_join({"a b", "c", "$(d)"})), "[a b][c][$(d)]");
}

}  // namespace
