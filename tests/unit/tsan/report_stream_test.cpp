// The streaming collector: every report of a long output is counted, however
// the output is split into reads.

#include "tsan/report_stream.hpp"

#include <gtest/gtest.h>

#include "samples.hpp"

namespace strain::tsan {
namespace {

using test::sample;

// 300 races (about 200 KiB, more than a worker's output capture keeps) and
// a lock-order inversion in the middle, with plugin output between them, fed
// in reads of 7 bytes: every report is counted under its signature.
TEST(TsanStream, CountsEveryReportAcrossReads) {
  const std::string race = sample("race_heap.txt"), lock = sample("lock_order_inversion.txt");
  std::string out;
  for (int k = 0; k < 300; ++k) {
    out += "plugin says " + std::to_string(k) + "\n" + race;
    if (k == 150) out += lock;
  }
  ASSERT_GT(out.size(), 128u * 1024);
  ReportStream stream;
  for (std::size_t at = 0; at < out.size(); at += 7)
    stream.add(std::string_view(out).substr(at, 7));
  stream.finish();
  const std::vector<Deduped> d = stream.take();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].report.kind, "data race");
  EXPECT_EQ(d[0].count, 300);
  EXPECT_EQ(d[1].report.outcome, "deadlock");
  EXPECT_EQ(d[1].count, 1);
  // The same as parsing the whole text at once.
  const std::vector<Deduped> whole = deduplicate(parse_reports(out));
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].report.signature, d[0].report.signature);
  EXPECT_EQ(whole[0].count, d[0].count);
}

// A worker killed in the middle of a report: what was read still counts.
TEST(TsanStream, AReportCutShortCountsAtTheEnd) {
  const std::string race = sample("race_heap.txt");
  ReportStream stream;
  stream.add(race);
  stream.add(race.substr(0, race.find("Previous")));
  stream.finish();
  const std::vector<Deduped> d = stream.take();
  ASSERT_EQ(d.size(), 2u) << "the cut report has one access, so another signature";
  EXPECT_EQ(d[0].count, 1);
  EXPECT_EQ(d[1].report.kind, "data race");
}

TEST(TsanStream, NoReportInPlainOutput) {
  ReportStream stream;
  stream.add("==================\nhello\nno newline at the end");
  stream.finish();
  EXPECT_TRUE(stream.take().empty());
}

// Text that reads as reports is kept only as far as ThreadSanitizer's own
// hook counted reports (issue 13: a passing plugin that printed a report was
// shown as a race). 3 printed races and 1 printed inversion, of which TSan
// made 2: the first two are kept, the latest dropped.
TEST(TsanStream, KeepsNoMoreReportsThanTsanMade) {
  const std::string race = sample("race_heap.txt"), lock = sample("lock_order_inversion.txt");
  const auto stream_of = [&] {
    ReportStream stream;
    stream.add(race + race + race + lock);
    stream.finish();
    return stream.take();
  };
  std::vector<Deduped> none = stream_of();
  ASSERT_EQ(none.size(), 2u);
  keep_real(none, 0);
  EXPECT_TRUE(none.empty());
  std::vector<Deduped> two = stream_of();
  keep_real(two, 2);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].report.kind, "data race");
  EXPECT_EQ(two[0].count, 2);
  std::vector<Deduped> all = stream_of();
  keep_real(all, 4);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].count + all[1].count, 4);
}

}  // namespace
}  // namespace strain::tsan
