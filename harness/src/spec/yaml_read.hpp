#pragma once
// Reading a spec's YAML with located errors: the collector of one file's
// diagnostics (each once, in file order, an empty value placed at its key),
// and the typed readers of scalars and maps whose messages say what they
// got. Shared by the loader and the matrix.

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/diagnostic.hpp"

namespace strain::spec::detail {

//! Collects the errors of one file, each once.
class Diagnostics {
 public:
  explicit Diagnostics(std::string path) : path_(std::move(path)) {}
  SourceLoc loc(const YAML::Mark& m) const;
  //! Where a node is; an empty value is placed at its key (yaml-cpp marks it
  //! at whatever token comes next, often on a later line).
  SourceLoc loc(const YAML::Node& n) const;
  //! Records the key of an empty value, for loc().
  void note_key(const YAML::Node& key, const YAML::Node& value);
  void error(const SourceLoc& at, std::string message);
  void error(const YAML::Mark& at, std::string message) { error(loc(at), std::move(message)); }
  void error(const YAML::Node& at, std::string message) { error(loc(at), std::move(message)); }
  bool empty() const { return diags_.empty(); }
  //! Every error, in file order.
  std::vector<Diagnostic> take();

 private:
  std::string path_;
  std::vector<Diagnostic> diags_;
  std::set<std::string> seen_;
  std::vector<std::pair<YAML::Node, YAML::Mark>> empty_values_;
};

//! How a message quotes a value it was given: 'text', a map, a list, nothing.
std::string got(const YAML::Node& n);

//! A scalar's integer value, converted from its text by hand rather than
//! with Node::as<>, so that what is accepted is exactly what the messages
//! promise (as<> takes "0x10" for an int, for one). Nothing when it is not
//! an integer of type T.
template <typename T>
std::optional<T> to_integer(const YAML::Node& n) {
  if (!n.IsScalar() || n.Scalar().empty()) return std::nullopt;
  const std::string& s = n.Scalar();
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

//! A scalar's finite number value, likewise.
std::optional<double> to_number(const YAML::Node& n);

//! "a, b, c".
std::string join(std::span<const std::string_view> items);

//! The entries of a map with scalar, unique keys and, when `known` is not
//! empty, only known keys; the others are reported and dropped.
std::vector<std::pair<YAML::Node, YAML::Node>> entries(
    Diagnostics& diags, const YAML::Node& map, std::span<const std::string_view> known = {});

}  // namespace strain::spec::detail
