#include "report/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace strain::report {

namespace {

// Length of the UTF-8 sequence at the start of `s` when it is well formed and
// encodes a character XML 1.0 allows; 0 otherwise.
std::size_t xml_char_length(std::string_view s) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(0);
  std::size_t len = 0;
  char32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2, cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3, cp = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4, cp = lead & 0x07u;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (byte(k) & 0x3Fu);
  }
  constexpr std::array<char32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
  const bool overlong = cp < kMin[len];
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (overlong || surrogate || cp > 0x10FFFF || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}

}  // namespace

// Escapes `text` for XML 1.0. Plugin messages are arbitrary bytes, and one
// forbidden character makes the whole report unreadable to CI, so: control
// characters XML forbids become the visible text "\xNN", malformed UTF-8
// becomes U+FFFD, and in attributes tab, newline and CR are character
// references because parsers would otherwise fold them into spaces.
std::string escape_xml(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t len = xml_char_length(text.substr(i));
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      default:
        if (u < 0x20)
          out += fmt::format("\\x{:02x}", u);
        else
          out += c;
    }
  }
  return out;
}

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  return fmt::format("{:.3f}", s);
}

std::string format_rate(double per_s) {
  if (!std::isfinite(per_s) || per_s < 0) per_s = 0;
  if (per_s < 1e3) return fmt::format("{:.1f}", per_s);
  if (per_s < 1e6) return fmt::format("{:.1f}k", per_s / 1e3);
  if (per_s < 1e9) return fmt::format("{:.1f}M", per_s / 1e6);
  return fmt::format("{:.1f}G", per_s / 1e9);
}

std::string format_run_seed(std::uint64_t seed, bool overridden, bool per_spec) {
  if (overridden) return fmt::format("{} (--seed)", seed);
  if (per_spec) return "each spec's own";
  return std::to_string(seed);
}

std::string format_seed(std::uint64_t seed) { return fmt::format("0x{:016x}", seed); }

std::string format_exploration(const model::Exploration& e) {
  const std::string within =
      e.bound ? fmt::format(" with at most {} preemption{}", *e.bound, *e.bound == 1 ? "" : "s")
              : "";
  if (e.complete)
    return fmt::format("all {} interleaving{}{} explored", e.interleavings,
                       e.interleavings == 1 ? "" : "s", within);
  return fmt::format("{} interleaving{}{} explored; the search did not finish", e.interleavings,
                     e.interleavings == 1 ? "" : "s", within);
}

std::string format_counts(const model::OutcomeCounts& counts) {
  std::string out;
  for (const model::Outcome o : model::kAllOutcomes) {
    const std::uint64_t n = counts[static_cast<std::size_t>(o)];
    if (n == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", model::to_string(o), n);
  }
  return out.empty() ? "-" : out;
}

std::string format_failure_counts(const model::OutcomeCounts& counts) {
  std::string out;
  for (const model::Outcome o : model::kAllOutcomes) {
    const std::uint64_t n = counts[static_cast<std::size_t>(o)];
    if (!model::is_failure(o) || n == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {}", model::to_string(o), n);
  }
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double mag = std::fabs(v);
  // Whole numbers (counts, and min/max of integer metrics) print as such.
  if (mag < 1e15 && v == std::trunc(v)) return fmt::format("{:.0f}", v);
  // Digits after the point for four significant ones, capped so that a tiny
  // value prints as zeros rather than switching to an exponent.
  const int exponent = static_cast<int>(std::floor(std::log10(mag)));
  const int decimals = std::clamp(3 - exponent, 0, 9);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string format_measured(const std::vector<model::Measured>& measured) {
  std::uint64_t trials = 0;
  for (const auto& m : measured) trials = std::max(trials, m.count);
  std::string out;
  for (const auto& m : measured) {
    if (!out.empty()) out += "  ";
    if (m.count == 0) {
      out += m.name + " -";
      continue;
    }
    out += fmt::format("{} {} [{}..{}]", m.name, format_number(m.mean), format_number(m.min),
                       format_number(m.max));
    if (m.count != trials) out += fmt::format(" n={}", m.count);
  }
  if (out.empty()) return out;
  if (trials == 0) return out + "  (no trial recorded them)";
  out += fmt::format("  (mean [min..max] of {} trial{})", trials, trials == 1 ? "" : "s");
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

std::string printable_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else if (u == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace strain::report
