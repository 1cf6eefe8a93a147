// Trace files: what a recorded trial writes is what a replay reads back, and
// a malformed file is refused with its path and the reason.

#include "sched/trace.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace strain::sched {
namespace {

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

TEST(Trace, RoundTrips) {
  Trace t;
  t.case_id = "spec/bug";
  t.seed = 42;
  t.trial = 7;
  t.strategy = "controlled/pct depth=3 steps=20";
  t.steps = 20;
  t.digest = "0123456789abcdef";
  t.decisions = {{'t', 1}, {'t', 0}, {'m', 2}, {'w', 1}};
  t.interleaving = {"a#0 thread.start", "b#0 mutex.lock"};
  const std::string path = temp_path("strain_trace_test.json");
  write_trace(path, t);
  const Trace back = read_trace(path);
  EXPECT_EQ(back.case_id, t.case_id);
  EXPECT_EQ(back.seed, 42u);
  EXPECT_EQ(back.trial, 7u);
  EXPECT_EQ(back.steps, 20u);
  EXPECT_EQ(back.digest, t.digest);
  EXPECT_EQ(back.decisions, t.decisions);
  std::remove(path.c_str());
}

TEST(Trace, DecisionsText) {
  std::vector<Decision> d;
  ASSERT_TRUE(parse_decisions("t1 t0  m12 w3", d));
  EXPECT_EQ(decisions_text(d), "t1 t0 m12 w3");
  EXPECT_FALSE(parse_decisions("t1 x2", d));
  EXPECT_FALSE(parse_decisions("t", d));
  EXPECT_FALSE(parse_decisions("t1a", d));
}

TEST(Trace, BadFilesAreRefusedWithTheirPath) {
  const std::string path = temp_path("strain_trace_bad.json");
  std::ofstream(path) << "{\"format\": 1, \"case\": \"x\", \"seed\": 1, \"trial\": 0, "
                         "\"decisions\": \"t1 q\"}";
  try {
    read_trace(path);
    FAIL() << "a malformed trace was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("malformed 'decisions'"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_THROW(read_trace(temp_path("strain_no_such_trace.json")), std::runtime_error);
}

TEST(Trace, DigestDependsOnThreadsAndLabelsOnly) {
  Digest a, b, c;
  a.add(0, "mutex.lock");
  a.add(1, "atomic.load");
  b.add(0, "mutex.lock");
  b.add(1, "atomic.load");
  c.add(1, "mutex.lock");
  c.add(0, "atomic.load");
  EXPECT_EQ(a.value(), b.value());
  EXPECT_NE(a.value(), c.value());
  EXPECT_EQ(a.text().size(), 16u);
}

}  // namespace
}  // namespace strain::sched
