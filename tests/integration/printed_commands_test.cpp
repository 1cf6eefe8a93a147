// Every command strain prints for a human to paste (the replay line in the
// console and the reports, the --verbose debugger line) is complete and
// quoted for the shell: pasted into sh in another folder, without the run's
// environment, it runs strain on exactly its case and nothing else.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

// The test's own quoting, independent of strain's: one single-quoted word.
std::string sq(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `s` with XML's five markup characters as entities, as the JUnit and HTML
// reports write text.
std::string xml_text(const std::string& s) {
  std::string out;
  for (const char c : s) {
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
      default:
        out += c;
    }
  }
  return out;
}

// Lines of `text` that start with `prefix`, without it.
std::vector<std::string> lines_after(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
    start = end + 1;
  }
  return out;
}

// A scratch layout whose every path holds what a shell would act on: the
// spec and a link to the test plugins live in a folder named with command
// substitutions, a ';', quotes and spaces.
struct Hostile {
  // A folder per test: ctest -j runs this file's tests side by side, and
  // one test's constructor removed the folder another test was running in.
  std::string root =
      kWork + "/printed/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string dir = root + "/sp ace $(touch MARKER) `touch MARKER`; touch MARKER 'q\"";
  std::string paste = root + "/paste";  // where commands are pasted, MARKER would land here
  std::string spec = dir + "/hostile_ids.yaml";
  std::string plugins = dir + "/plug ins";

  Hostile() {
    fs::remove_all(root);
    fs::create_directories(dir);
    fs::create_directories(paste + "/bin");
    fs::copy_file(kSrc + "/tests/integration/specs/hostile_ids.yaml", spec);
    fs::create_directory_symlink(kTestPlugins, plugins);
  }

  bool marker_anywhere() const {
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.path().filename() == "MARKER") return true;
    return fs::exists(kSrc + "/MARKER");
  }

  // Runs `line` as a script of its own in sh, from the paste folder, with
  // neither strain's variables nor its build folder in the environment:
  // only what the line itself says can find the binary and the plugins.
  Result paste_into_sh(const std::string& line, const std::string& extra_path = "") const {
    const std::string script = paste + "/pasted.sh";
    std::ofstream(script) << line << "\n";
    return shell("cd " + sq(paste) + " && env -u STRAIN_PLUGIN_PATH PATH=" +
                 sq(extra_path + "/usr/bin:/bin") + " sh " + sq(script));
  }
};

TEST(PrintedCommands, ReplayLinesRunExactlyTheirCaseWhenPastedIntoSh) {
  const Hostile h;
  const std::string json = h.root + "/report.json", xml = h.root + "/report.xml",
                    html = h.root + "/report.html";
  // The plugin path comes from the environment and the spec is relative:
  // the printed line must carry both in absolute form.
  const Result run =
      strain("run " + sq(fs::relative(h.spec, kSrc).string()) + " --report json:" + sq(json) +
                 " --report junit:" + sq(xml) + " --report html:" + sq(html),
             "STRAIN_PLUGIN_PATH=" + sq(h.plugins));
  ASSERT_EQ(run.code, 1) << run.out << run.err;
  ASSERT_FALSE(h.marker_anywhere()) << "the run itself executed a case id";
  const nlohmann::json report = read_json(json);
  ASSERT_EQ(report["cases"].size(), 4u);
  const std::vector<std::string> console = lines_after(run.out, "    replay: ");
  for (const auto& c : report["cases"]) {
    const std::string id = c["id"];
    const std::string replay = c["first_failure"]["replay"];
    SCOPED_TRACE(id + "\n" + replay);
    EXPECT_NE(std::find(console.begin(), console.end(), replay), console.end())
        << "the console prints the report's line";
    EXPECT_NE(read_text(xml).find("replay: " + xml_text(replay) + "\n"), std::string::npos)
        << "JUnit carries the same line";
    EXPECT_NE(read_text(html).find("<code class=\"replay\">" + xml_text(replay) + "</code>"),
              std::string::npos)
        << "HTML carries the same line";
    EXPECT_NE(replay.find("--plugin-path"), std::string::npos);
    EXPECT_NE(replay.find(" --seed 77 "), std::string::npos) << "the spec seed, not the trial's";
    const Result again = h.paste_into_sh(replay);
    EXPECT_EQ(again.code, 1) << again.out << again.err;
    EXPECT_NE(again.out.find("replay " + id + " seed 77 trial 0: failed 1 of 1 runs"),
              std::string::npos)
        << again.out << again.err;
    EXPECT_FALSE(h.marker_anywhere()) << "pasting the line executed part of it";
  }
}

TEST(PrintedCommands, DebuggerLineIsGdbArgsAndRunsItsCase) {
  const Hostile h;
  // A stand-in gdb that runs the program it is given, as `gdb --args P
  // ARGS` followed by `run` would.
  const std::string gdb = h.paste + "/bin/gdb";
  std::ofstream(gdb) << "#!/bin/sh\n[ \"$1\" = --args ] || exit 99\nshift\nexec \"$@\"\n";
  fs::permissions(gdb, fs::perms::owner_all);
  const Result run = strain("run " + sq(h.spec) + " --verbose --filter '*touch*'",
                            "STRAIN_PLUGIN_PATH=" + sq(h.plugins));
  ASSERT_EQ(run.code, 1) << run.out << run.err;
  const std::vector<std::string> lines = lines_after(run.out, "    in a debugger: ");
  ASSERT_EQ(lines.size(), 4u) << run.out;
  for (const auto& line : lines) {
    SCOPED_TRACE(line);
    EXPECT_EQ(line.rfind("gdb --args ", 0), 0u);
    const Result again = h.paste_into_sh(line, h.paste + "/bin:");
    EXPECT_EQ(again.code, 1) << again.out << again.err;
    EXPECT_NE(again.out.find("Running 1 case"), std::string::npos) << again.out << again.err;
    EXPECT_NE(again.out.find("[UNMET] hostile_ids/fails/label="), std::string::npos) << again.out;
    EXPECT_FALSE(h.marker_anywhere()) << "pasting the line executed part of it";
  }
}

}  // namespace
