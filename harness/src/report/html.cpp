// The HTML reporter: one self-contained page (inline CSS and SVG, no script,
// nothing fetched) that a person reads instead of a log. A summary first,
// then a section per case with its outcome histogram, rates, first failure,
// ThreadSanitizer reports and the replay command.
//
// Written with string formatting rather than a template library: the page
// is one fixed shape and escaping is the only subtle part.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <vector>

#include "core/atomic_file.hpp"
#include "report/format.hpp"
#include "report/reporter.hpp"

namespace strain::report {

namespace {

std::string esc(std::string_view text) { return escape_xml(text); }

// An outcome's colour: green for pass, a distinct warm colour per failure.
std::string_view colour(model::Outcome o) {
  constexpr std::array<std::string_view, model::kOutcomeCount> kColours = {
      "#2e7d32", "#c62828", "#6a1b9a", "#ad1457", "#ef6c00", "#4e342e", "#546e7a"};
  const auto k = static_cast<std::size_t>(o);
  return k < kColours.size() ? kColours[k] : "#757575";
}

constexpr std::string_view kStyle = R"(
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header,main{max-width:1100px;margin:0 auto;padding:16px 24px}
header{background:#fff;border-bottom:1px solid #ddd}
h1{margin:0 0 4px;font-size:24px}h2{margin-top:28px}h3{margin:0;font-size:17px;word-break:break-all}
.verdict{font-size:20px;font-weight:600;padding:8px 12px;border-radius:6px;display:inline-block}
.verdict.met{background:#e8f5e9;color:#1b5e20}.verdict.unmet{background:#ffebee;color:#b71c1c}
.badge{font-size:12px;font-weight:700;padding:2px 8px;border-radius:10px;color:#fff;vertical-align:middle}
.badge.met{background:#2e7d32}.badge.unmet{background:#c62828}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0 0}
dl.meta dt{color:#555}dl.meta dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
article.case{background:#fff;border:1px solid #ddd;border-left:6px solid #2e7d32;border-radius:6px;
padding:12px 16px;margin:16px 0}
article.case.unmet{border-left-color:#c62828}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:8px;margin:10px 0}
.fact{background:#f5f5f5;border-radius:4px;padding:6px 8px}.fact b{display:block;font-size:17px}
.fact span{color:#555;font-size:12px}
pre{background:#263238;color:#eceff1;padding:8px 10px;border-radius:4px;overflow-x:auto;
white-space:pre-wrap;word-break:break-all;font-size:13px}
code{background:#eceff1;padding:1px 4px;border-radius:3px;word-break:break-all}
.failure{border-left:4px solid #c62828;background:#fff5f5;padding:6px 10px;margin:8px 0}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
svg text{font:12px system-ui,sans-serif}
)";

// A horizontal bar per outcome, on a log scale so that one violation among a
// million passes still shows; the count is written beside each bar.
std::string histogram(const model::CaseResult& r) {
  constexpr int kLabel = 80, kBar = 420, kRow = 20, kCount = 90;
  const int height = kRow * static_cast<int>(model::kOutcomeCount) + 4;
  std::uint64_t most = 1;
  for (const auto n : r.outcomes) most = std::max(most, n);
  const double top = std::log10(static_cast<double>(most) + 1);
  std::string svg = fmt::format(
      R"(<svg class="histogram" role="img" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
      R"(xmlns="http://www.w3.org/2000/svg"><title>Outcomes of {2} trials (log scale)</title>)",
      kLabel + kBar + kCount, height, r.trials);
  int y = 2;
  for (const model::Outcome o : model::kAllOutcomes) {
    const std::uint64_t n = r.outcomes[static_cast<std::size_t>(o)];
    const double frac = n == 0 ? 0.0 : std::log10(static_cast<double>(n) + 1) / top;
    const int w = n == 0 ? 0 : std::max(2, static_cast<int>(frac * kBar));
    svg += fmt::format(
        R"(<g class="bar" data-outcome="{0}"><text x="{1}" y="{2}" text-anchor="end">{0}</text>)"
        R"(<rect x="{3}" y="{4}" width="{5}" height="{6}" fill="{7}"/>)"
        R"(<rect x="{3}" y="{4}" width="{8}" height="{6}" fill="none" stroke="#e0e0e0"/>)"
        R"(<text x="{9}" y="{2}">{10}</text></g>)",
        model::to_string(o), kLabel - 6, y + 14, kLabel, y + 2, w, kRow - 4, colour(o), kBar,
        kLabel + w + 6, n);
    y += kRow;
  }
  return svg + "</svg>";
}

std::string fact(std::string_view value, std::string_view label) {
  return fmt::format(R"(<div class="fact"><b>{}</b><span>{}</span></div>)", esc(value), esc(label));
}

std::string shown_id(const model::CaseResult& r, std::uint64_t repeat) {
  if (repeat <= 1) return r.id;
  return fmt::format("{} (repeat {}/{})", r.id, r.repetition + 1, repeat);
}

std::string anchor(const model::CaseResult& r) {
  return fmt::format("case-{}-{}", r.repetition, r.index);
}

std::string case_section(const model::CaseResult& r, std::uint64_t repeat) {
  const char* verdict = r.met ? "met" : "unmet";
  std::string h =
      fmt::format(R"(<article class="case {0}" id="{1}" data-case-id="{2}" data-verdict="{0}">)"
                  R"(<h3>{3} <span class="badge {0}">{4}</span></h3>)",
                  verdict, anchor(r), esc(r.id), esc(shown_id(r, repeat)), r.met ? "MET" : "UNMET");
  h += fmt::format("<p>plugin <code>{}</code>, spec <code>{}</code>", esc(r.plugin),
                   esc(r.spec_path));
  for (const auto& [key, value] : r.matrix)
    h += fmt::format(", <code>{}={}</code>", esc(key), esc(value));
  h += fmt::format(". Expected <b>{}</b>.</p>", model::to_string(r.expected));
  h += R"(<div class="facts">)";
  h += fact(std::to_string(r.trials), "trials");
  h += fact(format_rate(r.trials_per_s()) + "/s", "trials per second");
  h += fact(format_seconds(r.elapsed_s) + " s", "case time");
  h += fact(r.first_failure ? format_seconds(r.first_failure->at_s) + " s" : "-",
            "time to first failure");
  h += fact(r.first_failure ? std::to_string(r.first_failure->trial + 1) : "-",
            "trials to first failure");
  h += fact(
      r.stopped_by == model::StopReason::none ? "-" : std::string(model::to_string(r.stopped_by)),
      "stopped by");
  h += "</div>";
  h += "<figure>" + histogram(r) + "</figure>";
  if (!r.note.empty())
    h += fmt::format(R"(<div class="failure"><b>Note</b><pre>{}</pre></div>)", esc(r.note));
  if (r.explored)
    // Styled inline: a rule in the page's style sheet would change every
    // report, and the golden ones are compared byte for byte.
    h += fmt::format(R"(<div style="border-left:4px solid #2e7d32;padding:6px 10px;margin:8px 0">)"
                     R"(<b>Explored</b> {}</div>)",
                     esc(format_exploration(*r.explored)));
  if (r.first_failure) {
    const model::TrialFailure& f = *r.first_failure;
    h += fmt::format(
        R"(<div class="failure"><b>First failure: {}</b> in trial {} (spec seed {}, trial )"
        R"(seed {}) after {} s<pre class="message">{}</pre>)",
        model::to_string(f.outcome), f.trial, r.spec_seed, format_seed(f.seed),
        format_seconds(f.at_s), esc(f.message));
    if (!f.replay.empty())
      h += fmt::format(R"(<p>Replay: <code class="replay">{}</code></p>)", esc(f.replay));
    h += "</div>";
  }
  for (const auto& rep : r.sanitizer_reports) {
    h += fmt::format(
        R"(<details class="tsan" open><summary>ThreadSanitizer: {} ({} time{}, outcome {})</summary>)"
        R"(<pre>{}</pre><details><summary>the full report</summary><pre>{}</pre></details></details>)",
        esc(rep.kind), rep.count, rep.count == 1 ? "" : "s", esc(rep.outcome), esc(rep.brief),
        esc(rep.text));
  }
  // The spec's `show:` metrics (timings, speedups), open: they are what the
  // spec wants a reader to see.
  if (!r.measured.empty()) {
    h += R"(<table class="measured"><caption>Measured over the trials</caption>)"
         "<thead><tr><th>metric</th><th>mean</th><th>min</th><th>max</th><th>trials</th></tr>"
         "</thead><tbody>";
    for (const auto& m : r.measured)
      h += fmt::format(R"(<tr><td>{}</td><td class="n">{:.4g}</td><td class="n">{:.4g}</td>)"
                       R"(<td class="n">{:.4g}</td><td class="n">{}</td></tr>)",
                       esc(m.name), m.mean, m.min, m.max, m.count);
    h += "</tbody></table>";
  }
  if (!r.metrics.empty()) {
    h += "<details><summary>Metrics of the last trial</summary><table>";
    for (const auto& [name, value] : r.metrics)
      h += fmt::format(R"(<tr><td>{}</td><td class="n">{}</td></tr>)", esc(name), value);
    h += "</table></details>";
  }
  // Fields from a newer report (read back by `strain merge`), shown as is.
  for (const auto& [name, json] : r.extra_fields)
    h += fmt::format("<details><summary>{}</summary><pre>{}</pre></details>", esc(name), esc(json));
  if (!r.output.empty())
    h += fmt::format("<details><summary>Plugin output ({} bytes)</summary><pre>{}</pre></details>",
                     r.output_bytes, esc(r.output));
  return h + "</article>\n";
}

std::string summary_table(const model::RunSummary& s) {
  std::string h =
      "<table><thead><tr><th>verdict</th><th>case</th><th>trials</th><th>trials/s</th>"
      "<th>outcomes</th><th>expected</th><th>first failure</th></tr></thead><tbody>\n";
  // Unmet rows first, as the case sections below: a reader looks for what
  // failed, not for where its spec listed it.
  std::vector<const model::CaseResult*> rows;
  for (const bool want_met : {false, true})
    for (const auto& r : s.results)
      if (r.met == want_met) rows.push_back(&r);
  for (const model::CaseResult* row : rows) {
    const model::CaseResult& r = *row;
    h += fmt::format(
        R"(<tr><td><span class="badge {0}">{1}</span></td><td><a href="#{2}">{3}</a></td>)"
        R"(<td class="n">{4}</td><td class="n">{5}</td><td>{6}</td><td>{7}</td><td class="n">{8}</td></tr>)"
        "\n",
        r.met ? "met" : "unmet", r.met ? "met" : "unmet", anchor(r),
        esc(shown_id(r, s.selection.repeat)), r.trials, format_rate(r.trials_per_s()),
        esc(format_counts(r.outcomes)), model::to_string(r.expected),
        r.first_failure ? format_seconds(r.first_failure->at_s) + " s" : "-");
  }
  return h + "</tbody></table>\n";
}

std::string page(const model::RunSummary& s) {
  std::size_t met = 0;
  for (const auto& r : s.results) met += r.met ? 1 : 0;
  const std::size_t unmet = s.results.size() - met;
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>Strain: {} case{}, {} unmet</title><style>{}</style></head><body>\n<header>"
      "<h1>Strain report</h1><p class=\"verdict {}\" id=\"verdict\">{} case{}: {} met, {} "
      "unmet</p>",
      s.results.size(), s.results.size() == 1 ? "" : "s", unmet, kStyle, unmet ? "unmet" : "met",
      s.results.size(), s.results.size() == 1 ? "" : "s", met, unmet);
  if (s.interrupted) {
    // Said before anything else: the counts above are of a run cut short.
    std::string ids;
    for (const auto& u : s.unfinished) ids += (ids.empty() ? "" : ", ") + u.id;
    h += fmt::format(
        "<p class=\"verdict unmet\" id=\"interrupted\">Interrupted: {} of {} cases did not "
        "finish ({})</p>",
        s.unfinished.size(), s.results.size() + s.unfinished.size(), esc(ids));
  }
  h += R"(<dl class="meta">)";
  const auto meta = [&](std::string_view k, const std::string& v) {
    h += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
  };
  meta("build", s.build);
  meta("seed", format_run_seed(s.seed, s.seed_overridden, s.seed_per_spec));
  meta("started", s.timestamp);
  meta("wall time", format_seconds(s.elapsed_s) + " s");
  if (!s.strain_version.empty()) meta("strain", s.strain_version);
  std::string specs;
  for (const auto& f : s.specs) specs += (specs.empty() ? "" : ", ") + f.path;
  if (!specs.empty()) meta("specs", specs);
  if (!s.selection.filter.empty()) meta("filter", s.selection.filter);
  if (s.selection.repeat > 1) meta("repeat", std::to_string(s.selection.repeat));
  if (s.selection.shard)
    meta("shard", fmt::format("{}/{} of {} selected cases", s.selection.shard->index,
                              s.selection.shard->total, s.selection.cases));
  h += "</dl></header>\n<main>\n<h2 id=\"summary\">Summary</h2>\n" + summary_table(s);
  h += "<h2 id=\"cases\">Cases</h2>\n";
  // Unmet cases first: they are what the reader came for.
  for (const bool want_met : {false, true})
    for (const auto& r : s.results)
      if (r.met == want_met) h += case_section(r, s.selection.repeat);
  return h + "</main></body></html>\n";
}

class HtmlReporter final : public Reporter {
 public:
  explicit HtmlReporter(std::string path) : path_(std::move(path)) {}
  void run_finished(const model::RunSummary& s) override { write_file_atomically(path_, page(s)); }

 private:
  std::string path_;
};

}  // namespace

namespace detail {
std::unique_ptr<Reporter> make_html_reporter(std::string path) {
  return std::make_unique<HtmlReporter>(std::move(path));
}
}  // namespace detail

}  // namespace strain::report
