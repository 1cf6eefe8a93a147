// File reporters by name, as given to --report name:path.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "core/errors.hpp"
#include "report/reporter.hpp"

namespace strain::report {

// Each file reporter defines its factory in its own file; they are declared
// here, the one place that uses them, rather than in the public header.
namespace detail {
std::unique_ptr<Reporter> make_json_reporter(std::string path);
std::unique_ptr<Reporter> make_junit_reporter(std::string path);
std::unique_ptr<Reporter> make_html_reporter(std::string path);
}  // namespace detail

namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Reporter> (*make)(std::string path);
};

// To add a reporter, declare its factory above and add a row; names are
// listed in this order in error messages and help.
constexpr std::array<Entry, 3> kReporters = {{
    {"json", &detail::make_json_reporter},
    {"junit", &detail::make_junit_reporter},
    {"html", &detail::make_html_reporter},
}};

}  // namespace

std::unique_ptr<Reporter> make_file_reporter(std::string_view arg) {
  const std::size_t colon = arg.find(':');
  const std::string_view name = arg.substr(0, colon);
  const std::string_view path = colon == std::string_view::npos ? "" : arg.substr(colon + 1);
  for (const Entry& e : kReporters) {
    if (e.name != name) continue;
    if (path.empty())
      throw UsageError(fmt::format("--report {} needs a path: {}:PATH", name, name));
    return e.make(std::string(path));
  }
  throw UsageError(fmt::format("unknown reporter '{}' in --report {} (known: {})", name, arg,
                               fmt::join(file_reporter_names(), ", ")));
}

std::vector<std::string> file_reporter_names() {
  std::vector<std::string> names;
  for (const Entry& e : kReporters) names.emplace_back(e.name);
  return names;
}

}  // namespace strain::report
