// The JUnit report as Jenkins and GitLab read it: what did not finish its
// trial (crash, exception, hang) is an <error>, what a check refused a
// <failure>, each counted in its attribute, and the file is valid against
// Jenkins' xUnit schema.

#include <gtest/gtest.h>

#include <string>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

// The element (error, failure, or none) inside the <testcase> named `id`.
std::string verdict_element(const std::string& xml, const std::string& id) {
  const std::size_t at = xml.find("<testcase name=\"" + id + "\"");
  if (at == std::string::npos) return "missing";
  const std::size_t open_end = xml.find('>', at);
  if (open_end == std::string::npos || xml[open_end - 1] == '/') return "none";  // <testcase .../>
  const std::string body = xml.substr(open_end, xml.find("</testcase>", open_end) - open_end);
  if (body.find("<error ") != std::string::npos) return "error";
  if (body.find("<failure ") != std::string::npos) return "failure";
  return "none";
}

TEST(Junit, CrashesErrorsAndHangsAreErrorsAndCountedApart) {
  const std::string xml_path = kWork + "/junit_kinds.xml";
  fs::remove(xml_path);
  const SpecRun run = run_test_spec("junit_kinds", "--report junit:" + xml_path);
  EXPECT_EQ(run.run.code, 1) << run.run.out << run.run.err;
  const std::string xml = read_text(xml_path);
  EXPECT_EQ(verdict_element(xml, "junit_kinds/crashes"), "error") << xml;
  EXPECT_EQ(verdict_element(xml, "junit_kinds/throws"), "error");
  EXPECT_EQ(verdict_element(xml, "junit_kinds/hangs"), "error");
  EXPECT_EQ(verdict_element(xml, "junit_kinds/violates"), "failure");
  EXPECT_EQ(verdict_element(xml, "junit_kinds/misses"), "failure");
  EXPECT_EQ(verdict_element(xml, "junit_kinds/fine"), "none");
  EXPECT_NE(xml.find(R"(<testsuites name="strain" tests="6" failures="2" errors="3")"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<testsuite name="junit_kinds" tests="6" failures="2" errors="3")"),
            std::string::npos)
      << xml;
  if (!has_xmllint()) GTEST_SKIP() << "xmllint (libxml2-utils) is not installed";
  const Result lint = shell("xmllint --noout --schema " STRAIN_JUNIT_XSD " " + xml_path);
  EXPECT_EQ(lint.code, 0) << lint.err;
}

}  // namespace
