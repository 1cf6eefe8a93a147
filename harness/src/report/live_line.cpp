#include "report/live_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/format.hpp"

namespace strain::report {

namespace {

bool starts_char(char c) { return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u; }

// The last `width` columns of `text`, cut at a character boundary.
std::string tail(const std::string& text, std::size_t width) {
  std::size_t cols = 0, at = text.size();
  while (at > 0 && cols < width) {
    --at;
    if (starts_char(text[at])) ++cols;
  }
  return text.substr(at);
}

// The first `width` columns of `text`, cut at a character boundary.
std::string head(const std::string& text, std::size_t width) {
  std::size_t cols = 0, at = 0;
  for (; at < text.size(); ++at) {
    if (starts_char(text[at]) && cols++ == width) break;
  }
  return text.substr(0, at);
}

}  // namespace

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), starts_char));
}

std::string live_line(const model::CaseProgress& p, std::size_t k, std::size_t n,
                      std::size_t columns) {
  const std::string counter = n > 0 ? fmt::format("[{}/{}] ", k, n) : std::string();
  std::string trials = fmt::format("  {}", p.trials);
  if (p.planned_trials > 0) trials += fmt::format("/{}", p.planned_trials);
  trials += " trials";
  const double elapsed = std::max(p.elapsed_s, 0.0);
  const double rate = elapsed > 0 ? static_cast<double>(p.trials) / elapsed : 0.0;
  const std::string speed = fmt::format("  {}/s  {:.1f}s", format_rate(rate), elapsed);
  // Whichever ends the case first: its budget, or its planned trials at
  // the rate so far. Unknown until a trial has finished.
  double eta = p.budget_s > 0 ? std::max(p.budget_s - elapsed, 0.0) : INFINITY;
  if (p.planned_trials > p.trials && rate > 0)
    eta = std::min(eta, static_cast<double>(p.planned_trials - p.trials) / rate);
  std::string tail_part;
  if (std::isfinite(eta) && p.trials > 0) tail_part += fmt::format("  eta {:.1f}s", eta);
  if (const std::string failures = format_failure_counts(p.outcomes); !failures.empty())
    tail_part += fmt::format("  [{}]", failures);

  const auto compose = [&](const std::string& id, bool with_speed) {
    return "  " + counter + id + trials + (with_speed ? speed : std::string()) + tail_part;
  };
  // A case id comes from a spec: no control character of it reaches the
  // terminal (printable_line escapes them).
  const std::string id = printable_line(p.id);
  const std::string full = compose(id, true);
  if (columns == 0) return full;
  // One column is left free: writing into the last one makes many
  // terminals wrap at once, and the \r then rewinds the wrong row.
  const std::size_t room = columns > 1 ? columns - 1 : 1;
  if (display_width(full) <= room) return full;
  // What gives way, in order: the rate and elapsed time (the ETA and the
  // failures say more), then the head of the id (its tail tells matrix
  // points apart), then the end of the line.
  const std::string lean = compose(id, false);
  if (display_width(lean) <= room) return lean;
  constexpr std::string_view kEllipsis = "...";
  const std::size_t fixed = display_width(compose("", false)) + kEllipsis.size();
  constexpr std::size_t kMinIdTail = 12;
  if (fixed + kMinIdTail <= room)
    return compose(std::string(kEllipsis) + tail(id, room - fixed), false);
  return head(lean, room);
}

}  // namespace strain::report
