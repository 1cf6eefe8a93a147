// Durations as a spec writes them, and specs loaded from disk.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "spec/load.hpp"
#include "spec_load_fixture.hpp"

namespace strain::spec {
namespace {

using spec_test::make_catalog;

TEST(ParseDurationTest, AcceptsTheDocumentedForms) {
  const std::pair<const char*, double> good[] = {
      {"5", 5.0},      {"1.5", 1.5},   {"250ms", 0.25}, {"2s", 2.0}, {"1.5m", 90.0},
      {"100us", 1e-4}, {"1h", 3600.0}, {"10ns", 1e-8},  {"0", 0.0},  {"0.25s", 0.25}};
  for (const auto& [text, want] : good) {
    double got = -1;
    EXPECT_TRUE(parse_duration(text, got)) << text;
    EXPECT_DOUBLE_EQ(got, want) << text;
  }
}

TEST(ParseDurationTest, RejectsMalformed) {
  for (const char* text : {"", "-1", "-1s", "5 sec", "5sec", "s", "1.", ".5", "1e3", "+2s", "5 s",
                           " 5s", "5s ", "1.5.2s", "inf", "nan", "2d", "5S", "1,5s"}) {
    double got = -1;
    EXPECT_FALSE(parse_duration(text, got)) << text;
    EXPECT_EQ(got, -1) << text;
  }
}

TEST(LoadSpecTest, ReadsARealFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("strain_spec_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "from_disk.yaml").string();
  {
    std::ofstream out(path);
    out << "plugin: bank\nschedule: { trials: 3 }\ncases:\n  - name: a\n";
  }
  const plugin::Catalog catalog = make_catalog();
  const Spec s = load_spec(path, catalog);
  EXPECT_EQ(s.name, "from_disk");
  EXPECT_EQ(s.path, path);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].id, "from_disk/a");
  EXPECT_EQ(s.cases[0].spec_path, path);
  EXPECT_EQ(s.cases[0].schedule.trials, 3u);

  // Errors name the real file.
  {
    std::ofstream out(path);
    out << "plugin: bank\ncases: []\n";
  }
  try {
    load_spec(path, catalog);
    ADD_FAILURE() << "expected a SpecError";
  } catch (const SpecError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2:8: 'cases' must be a non-empty list");
  }
  std::filesystem::remove_all(dir);
}

TEST(LoadSpecTest, MissingFileIsOneDiagnostic) {
  const plugin::Catalog catalog = make_catalog();
  try {
    load_spec("/nonexistent/dir/spec.yaml", catalog);
    ADD_FAILURE() << "expected a SpecError";
  } catch (const SpecError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].str(),
              "/nonexistent/dir/spec.yaml:1:1: cannot read spec: No such file or directory");
  }
}

TEST(LoadSpecTest, DirectoryIsUnreadable) {
  const plugin::Catalog catalog = make_catalog();
  const std::string dir = std::filesystem::temp_directory_path().string();
  try {
    load_spec(dir, catalog);
    ADD_FAILURE() << "expected a SpecError";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.diagnostics()[0].str(),
              dir + ":1:1: cannot read spec: the path is a directory, not a regular file");
  }
}

}  // namespace
}  // namespace strain::spec
