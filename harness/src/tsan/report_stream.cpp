#include "tsan/report_stream.hpp"

namespace strain::tsan {

namespace {

constexpr std::string_view kSummary = "SUMMARY: ThreadSanitizer: ";
constexpr std::string_view kSeparator = "==================";

bool opens_report(std::string_view l) {
  return l.find("WARNING: ThreadSanitizer: ") != l.npos ||
         l.find("ERROR: ThreadSanitizer: ") != l.npos;
}

}  // namespace

void ReportStream::add(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    if (nl == bytes.npos) {
      // A line longer than a report is kept no further: its head is enough.
      if (partial_.size() < kMaxReportText) partial_.append(bytes.substr(0, kMaxReportText));
      return;
    }
    if (partial_.empty()) {
      line(bytes.substr(0, nl));
    } else {
      if (partial_.size() < kMaxReportText) partial_.append(bytes.substr(0, nl));
      line(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(nl + 1);
  }
}

void ReportStream::line(std::string_view l) {
  if (opens_report(l)) {
    flush_report();
    in_report_ = true;
  }
  if (!in_report_) return;
  // A separator before the WARNING line belongs to no report; the one after
  // the SUMMARY line (or in its place, under print_summary=0) ends it.
  const bool separator =
      l.substr(0, kSeparator.size()) == kSeparator && l.find_first_not_of("= \r") == l.npos;
  const bool ends = l.find(kSummary) != l.npos || separator;
  if (report_.size() + l.size() < 2 * kMaxReportText) {
    report_.append(l);
    report_ += '\n';
  }
  if (ends) flush_report();
}

void ReportStream::flush_report() {
  if (!in_report_) return;
  in_report_ = false;
  for (Report& r : parse_reports(report_)) {
    const auto [it, inserted] = index_.try_emplace(r.signature, seen_.size());
    if (inserted)
      seen_.push_back({std::move(r), 1});
    else
      ++seen_[it->second].count;
  }
  report_.clear();
}

void ReportStream::finish() {
  if (!partial_.empty()) line(partial_);
  partial_.clear();
  flush_report();
}

std::vector<Deduped> ReportStream::take() {
  index_.clear();
  return std::move(seen_);
}

void keep_real(std::vector<Deduped>& reports, std::uint64_t real) {
  std::uint64_t kept = 0;
  for (auto& d : reports) {
    const std::uint64_t room = real - kept;
    if (static_cast<std::uint64_t>(d.count) > room) d.count = static_cast<int>(room);
    kept += static_cast<std::uint64_t>(d.count);
  }
  std::erase_if(reports, [](const Deduped& d) { return d.count == 0; });
}

}  // namespace strain::tsan
