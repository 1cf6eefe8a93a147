#include "model/strategy.hpp"

#include <array>

namespace strain::model {

namespace {

constexpr std::array<StrategyInfo, 4> kStrategies = {{
    {StrategyName::none, "none", false, true},
    {StrategyName::random, "random", false, true},
    {StrategyName::chaos, "chaos", false, true},
    // One role thread runs at a time under the scheduler's picks, which
    // cannot see into another process.
    {StrategyName::controlled, "controlled", true, false},
}};
static_assert(kStrategies[0].name == StrategyName::none &&
                  kStrategies[3].name == StrategyName::controlled,
              "info() indexes the table by the enum");

template <class E>
struct Spelling {
  E value;
  std::string_view text;
};

constexpr std::array<Spelling<Pick>, 5> kPicks = {{{Pick::random, "random"},
                                                   {Pick::pct, "pct"},
                                                   {Pick::pos, "pos"},
                                                   {Pick::portfolio, "portfolio"},
                                                   {Pick::dfs, "dfs"}}};

constexpr std::array<Spelling<PlainAccesses>, 3> kPlainAccesses = {
    {{PlainAccesses::off, "off"}, {PlainAccesses::shared, "shared"}, {PlainAccesses::all, "all"}}};

template <class Table, class E>
std::string_view spell(const Table& table, E value) {
  for (const auto& s : table)
    if (s.value == value) return s.text;
  return "?";
}

template <class Table>
auto parse(const Table& table, std::string_view text)
    -> std::optional<decltype(table.front().value)> {
  for (const auto& s : table)
    if (s.text == text) return s.value;
  return std::nullopt;
}

template <class Table>
std::string join(const Table& table, std::string_view separator) {
  std::string out;
  for (const auto& s : table) {
    if (!out.empty()) out += separator;
    out += s.text;
  }
  return out;
}

}  // namespace

std::span<const StrategyInfo> strategies() { return kStrategies; }

const StrategyInfo& info(StrategyName name) {
  return kStrategies[static_cast<std::size_t>(name)];  // the table is in enum order
}

std::string_view to_string(StrategyName name) { return info(name).text; }
std::string_view to_string(Pick pick) { return spell(kPicks, pick); }
std::string_view to_string(PlainAccesses mode) { return spell(kPlainAccesses, mode); }

std::optional<StrategyName> strategy_name_from(std::string_view text) {
  for (const auto& s : kStrategies)
    if (s.text == text) return s.name;
  return std::nullopt;
}
bool is_default_strategy(std::string_view text) { return text == "default"; }

std::string strategy_flag_forms() {
  std::string out = "default, " + strategy_names();
  for (const auto& p : kPicks)
    out += std::string(", ") + std::string(to_string(StrategyName::controlled)) + "/" +
           std::string(p.text);
  return out;
}
std::optional<Pick> pick_from(std::string_view text) { return parse(kPicks, text); }
std::optional<PlainAccesses> plain_accesses_from(std::string_view text) {
  return parse(kPlainAccesses, text);
}

std::string strategy_names(std::string_view separator) { return join(kStrategies, separator); }
std::string pick_names(std::string_view separator) { return join(kPicks, separator); }
std::string plain_access_names(std::string_view separator) {
  return join(kPlainAccesses, separator);
}

std::string label(const Strategy& s) {
  std::string out(to_string(s.name));
  if (s.name == StrategyName::controlled) (out += '/') += to_string(s.pick);
  return out;
}

}  // namespace strain::model
