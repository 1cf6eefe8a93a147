#pragma once
// The recorded TSan outputs in tests/unit/tsan/samples, for the parser's and
// the stream's tests.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace strain::tsan::test {

//! The text of sample `name`; a missing file fails the test.
inline std::string sample(const std::string& name) {
  std::ifstream in(std::string(STRAIN_TSAN_SAMPLES) + "/" + name);
  EXPECT_TRUE(in) << "missing sample " << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace strain::tsan::test
