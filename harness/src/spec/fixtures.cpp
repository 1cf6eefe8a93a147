#include "spec/fixtures.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace strain::spec::detail {

namespace {

constexpr std::array<std::string_view, 1> kFixtureKeys = {"site"};
constexpr std::array<std::string_view, 9> kSiteKeys = {
    "pages",        "links_per_page", "latency_ms", "error_rate", "faults",
    "offsite_rate", "broken_rate",    "page_bytes", "seed"};
constexpr std::array<std::string_view, 3> kFaults = {"500", "slow", "drop"};

// A value that is one number or a [min, max] pair, each in [lo, hi]. On
// failure reports `what` at the node and returns nothing.
template <typename T, typename Convert>
std::optional<std::pair<T, T>> range(Diagnostics& diags, const YAML::Node& v, std::string_view key,
                                     T lo, T hi, Convert convert, std::string_view kind) {
  const auto in = [&](const std::optional<T>& x) { return x && *x >= lo && *x <= hi; };
  const std::string expected = fmt::format(
      "'{}' must be {} in [{}, {}] or a list [min, max] of them, got ", key, kind, lo, hi);
  if (v.IsScalar()) {
    const auto x = convert(v);
    if (in(x)) return std::pair(*x, *x);
    diags.error(v, expected + got(v));
    return std::nullopt;
  }
  if (!v.IsSequence() || v.size() != 2) {
    diags.error(v, expected + got(v));
    return std::nullopt;
  }
  const auto a = convert(v[0]), b = convert(v[1]);
  if (!in(a)) {
    diags.error(v[0], expected + got(v[0]));
    return std::nullopt;
  }
  if (!in(b)) {
    diags.error(v[1], expected + got(v[1]));
    return std::nullopt;
  }
  if (*a > *b) {
    diags.error(v, fmt::format("'{}' must be [min, max] with min <= max, got [{}, {}]", key,
                               v[0].Scalar(), v[1].Scalar()));
    return std::nullopt;
  }
  return std::pair(*a, *b);
}

std::optional<SiteAssign> site_option(Diagnostics& diags, const std::string& key,
                                      const YAML::Node& v) {
  using O = fixtures::SiteOptions;
  if (key == "pages" || key == "links_per_page") {
    const std::int64_t lo = key == "pages" ? 1 : 0;
    const std::int64_t hi = key == "pages" ? 100000 : 1000;
    const auto n = to_integer<std::int64_t>(v);
    if (!n || *n < lo || *n > hi) {
      diags.error(v,
                  fmt::format("'{}' must be an integer in [{}, {}], got {}", key, lo, hi, got(v)));
      return std::nullopt;
    }
    if (key == "pages") return SiteAssign([n = *n](O& o) { o.pages = n; });
    return SiteAssign([n = *n](O& o) { o.links_per_page = n; });
  }
  if (key == "latency_ms") {
    const auto r = range<double>(diags, v, key, 0.0, 60000.0, to_number, "a number");
    if (!r) return std::nullopt;
    return SiteAssign([r = *r](O& o) {
      o.latency_min_ms = r.first;
      o.latency_max_ms = r.second;
    });
  }
  if (key == "page_bytes") {
    const auto r =
        range<std::int64_t>(diags, v, key, 0, 1000000, to_integer<std::int64_t>, "an integer");
    if (!r) return std::nullopt;
    return SiteAssign([r = *r](O& o) {
      o.page_bytes_min = r.first;
      o.page_bytes_max = r.second;
    });
  }
  if (key == "error_rate" || key == "offsite_rate" || key == "broken_rate") {
    const auto d = to_number(v);
    if (!d || *d < 0 || *d > 1) {
      diags.error(v, fmt::format("'{}' must be a number in [0, 1], got {}", key, got(v)));
      return std::nullopt;
    }
    double O::*field = key == "error_rate"     ? &O::error_rate
                       : key == "offsite_rate" ? &O::offsite_rate
                                               : &O::broken_rate;
    return SiteAssign([field, d = *d](O& o) { o.*field = d; });
  }
  if (key == "seed") {
    const auto n = to_integer<std::uint64_t>(v);
    if (!n) {
      diags.error(v, "'seed' must be an integer >= 0, got " + got(v));
      return std::nullopt;
    }
    return SiteAssign([n = *n](O& o) { o.seed = n; });
  }
  // faults: the kinds error_rate chooses among.
  if (!v.IsSequence()) {
    diags.error(v, fmt::format("'faults' must be a list of: {}; got {}", join(kFaults), got(v)));
    return std::nullopt;
  }
  bool f500 = false, slow = false, drop = false, ok = true;
  for (const auto& item : v) {
    const std::string text = item.IsScalar() ? item.Scalar() : "";
    if (text == "500") {
      f500 = true;
    } else if (text == "slow") {
      slow = true;
    } else if (text == "drop") {
      drop = true;
    } else {
      diags.error(item,
                  fmt::format("unknown fault {} (expected one of: {})", got(item), join(kFaults)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return SiteAssign([f500, slow, drop](O& o) {
    o.fault_500 = f500;
    o.fault_slow = slow;
    o.fault_drop = drop;
  });
}

}  // namespace

void parse_fixtures(Diagnostics& diags, const YAML::Node& n, FixtureSettings& out) {
  if (!n.IsMap()) return diags.error(n, "'fixtures' must be a map, got " + got(n));
  for (const auto& [k, v] : entries(diags, n, kFixtureKeys)) {
    // `site: {}` (or `site:` alone) asks for the defaults.
    out.site = true;
    out.site_loc = diags.loc(k);
    if (v.IsNull()) continue;
    if (!v.IsMap()) {
      diags.error(v, "'site' must be a map of options, got " + got(v));
      continue;
    }
    for (const auto& [sk, sv] : entries(diags, v, kSiteKeys))
      if (auto a = site_option(diags, sk.Scalar(), sv)) out.site_options.push_back(std::move(*a));
  }
}

std::optional<fixtures::SiteOptions> resolve_site(Diagnostics& diags, const FixtureSettings& f) {
  if (!f.site) return std::nullopt;
  fixtures::SiteOptions o;
  for (const auto& a : f.site_options) a(o);
  if (o.offsite_rate + o.broken_rate > 1.0 + 1e-12)
    diags.error(f.site_loc, fmt::format("site: offsite_rate + broken_rate must be <= 1, got {}",
                                        o.offsite_rate + o.broken_rate));
  return o;
}

}  // namespace strain::spec::detail
