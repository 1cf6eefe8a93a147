// The spec key documentation (spec/key_docs.cpp) against the two things it
// must agree with: the keys the loader accepts, and docs/spec.md.

#include "spec/key_docs.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "spec/load.hpp"

namespace strain::spec {
namespace {

// The keys the loader accepts at one level, read from its error for an
// unknown key: "unknown key 'bogus' (expected one of: a, b, c)".
std::set<std::string> accepted_keys(const std::string& yaml) {
  try {
    parse_spec(yaml, "t.yaml", plugin::Catalog{});
  } catch (const SpecError& e) {
    for (const auto& d : e.diagnostics()) {
      const std::string& m = d.message;
      const std::string intro = "unknown key 'bogus' (expected one of: ";
      const auto at = m.find(intro);
      if (at == std::string::npos) continue;
      std::set<std::string> keys;
      std::istringstream list(m.substr(at + intro.size(), m.rfind(')') - at - intro.size()));
      for (std::string k; std::getline(list, k, ',');)
        keys.insert(k.substr(k.find_first_not_of(' ')));
      return keys;
    }
  }
  ADD_FAILURE() << "no unknown-key error for:\n" << yaml;
  return {};
}

// The documented keys directly under `prefix` ("" for the top level).
std::set<std::string> documented_keys(const std::string& prefix) {
  std::set<std::string> keys;
  for (const auto& d : key_docs()) {
    const std::string key(d.key);
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = key.substr(prefix.size());
    if (rest.empty() || rest.find('.') != std::string::npos ||
        rest.find('[') != std::string::npos || rest.front() == '<')
      continue;
    keys.insert(rest);
  }
  return keys;
}

TEST(KeyDocs, DocumentExactlyTheKeysTheLoaderAccepts) {
  const std::string cases = "cases: [ { name: a } ]\n";
  EXPECT_EQ(accepted_keys("plugin: p\nbogus: 1\n" + cases), documented_keys(""));
  EXPECT_EQ(accepted_keys("plugin: p\nschedule: { bogus: 1 }\n" + cases),
            documented_keys("schedule."));
  EXPECT_EQ(accepted_keys("plugin: p\nschedule: { strategy: { bogus: 1 } }\n" + cases),
            documented_keys("schedule.strategy."));
  EXPECT_EQ(accepted_keys("plugin: p\nfixtures: { bogus: 1 }\n" + cases),
            documented_keys("fixtures."));
  EXPECT_EQ(accepted_keys("plugin: p\nfixtures: { site: { bogus: 1 } }\n" + cases),
            documented_keys("fixtures.site."));
  EXPECT_EQ(accepted_keys("plugin: p\ncases: [ { name: a, bogus: 1 } ]\n"),
            documented_keys("cases[]."));
  EXPECT_EQ(accepted_keys("plugin: p\ncases: [ { name: a, expect: { bogus: 1 } } ]\n"),
            documented_keys("cases[].expect."));
}

TEST(KeyDocs, EveryKeyHasItsParts) {
  for (const auto& d : key_docs()) {
    EXPECT_FALSE(d.type.empty()) << d.key;
    EXPECT_FALSE(d.fallback.empty()) << d.key;
    EXPECT_GT(d.meaning.size(), 10u) << d.key;
    EXPECT_FALSE(d.example.empty()) << d.key;
  }
}

TEST(KeyDocs, SpecMdHoldsTheGeneratedTable) {
  std::ifstream in(STRAIN_SOURCE_DIR "/docs/spec.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->";
  const auto b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), key_docs_markdown())
      << "regenerate it: strain validate --explain all --markdown";
}

TEST(KeyDocs, FindByFullPathSuffixOrSection) {
  ASSERT_EQ(find_key_docs("schedule.trials").size(), 1u);
  ASSERT_EQ(find_key_docs("trials").size(), 1u);
  EXPECT_EQ(find_key_docs("trials")[0]->key, "schedule.trials");
  EXPECT_EQ(find_key_docs("tsan")[0]->key, "cases[].expect.tsan");
  EXPECT_EQ(find_key_docs("name").size(), 1u) << "an exact key wins over suffixes";
  EXPECT_EQ(find_key_docs("schedule.strategy").size(), 1u);
  EXPECT_EQ(find_key_docs("expect").size(), 1u);
  EXPECT_TRUE(find_key_docs("nonsense").empty());
  EXPECT_NE(explain(*find_key_docs("budget")[0]).find("default: 10s"), std::string::npos);
}

}  // namespace
}  // namespace strain::spec

namespace strain::spec {
namespace {

// The docs spell the strategy names, picks and plain-access modes as the
// one table (model/strategy.cpp) the loader parses them with.
TEST(KeyDocs, StrategyValuesAreThoseOfTheStrategyTable) {
  const auto type_of = [](std::string_view key) {
    const auto found = find_key_docs(key);
    return found.size() == 1 ? std::string(found.front()->type) : std::string("?");
  };
  EXPECT_EQ(type_of("schedule.strategy.name"), model::strategy_names(" | "));
  EXPECT_EQ(type_of("schedule.strategy.pick"), model::pick_names(" | "));
  EXPECT_EQ(type_of("schedule.strategy.plain_accesses"), model::plain_access_names(" | "));
  for (const auto& s : model::strategies()) {
    EXPECT_EQ(model::strategy_name_from(s.text), s.name);
    EXPECT_EQ(model::to_string(s.name), s.text);
  }
  EXPECT_EQ(model::strategy_name_from("Controlled"), std::nullopt);
  EXPECT_EQ(model::pick_from("portfolio"), model::Pick::portfolio);
  EXPECT_EQ(model::label(model::Strategy{}), "none");
}

}  // namespace
}  // namespace strain::spec
