#pragma once
// Collects ThreadSanitizer reports from a child's output as it streams in,
// before the output is bounded for the report: a racy case run with
// --keep-going makes a report per trial, far more text than the capture
// keeps, and every one of them must still be counted.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tsan/report_parser.hpp"

namespace strain::tsan {

class ReportStream {
 public:
  //! Takes the next bytes of the output (any split, lines across calls).
  void add(std::string_view bytes);
  //! The output ended: a report cut short (the child died) still counts.
  void finish();
  //! The first report of each signature, in order, with its count.
  std::vector<Deduped> take();

 private:
  void line(std::string_view l);
  void flush_report();

  std::string partial_;  // an unfinished line
  std::string report_;   // the report being read, from its WARNING/ERROR line
  bool in_report_ = false;
  std::vector<Deduped> seen_;
  std::unordered_map<std::string, std::size_t> index_;  // signature -> seen_
};

//! Keeps at most `real` reports, the number ThreadSanitizer itself made (its
//! report hook counts them), dropping the latest first. A plugin's output is
//! the same stream as TSan's, so text that merely looks like a report (a
//! passing plugin printing one, issue 13) must not become a race.
void keep_real(std::vector<Deduped>& reports, std::uint64_t real);

}  // namespace strain::tsan
