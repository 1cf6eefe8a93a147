#pragma once
// Running the real strain binary from the source folder, for the
// integration tests.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace strain_test {

namespace fs = std::filesystem;
inline const std::string kBin = STRAIN_BIN;
inline const std::string kSrc = STRAIN_SOURCE_DIR;
inline const std::string kTestPlugins = STRAIN_TEST_PLUGIN_DIR;
inline const std::string kWork = STRAIN_WORK_DIR;
#ifdef STRAIN_BENCH_PLUGIN_DIR
inline const std::string kBenchPlugins = STRAIN_BENCH_PLUGIN_DIR;  // the detection kernels
#endif

struct Result {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line from the source folder.
inline Result shell(const std::string& command) {
  fs::create_directories(kWork);
  // One file per call: ctest -j runs the tests of this folder side by side
  // in one kWork, and a shared stderr.txt gave one test another's (empty)
  // stderr.
  static std::atomic<unsigned> calls{0};
  const std::string err_file =
      kWork + "/stderr." + std::to_string(::getpid()) + "." + std::to_string(calls++) + ".txt";
  const std::string cmd = "cd " + kSrc + " && " + command + " 2>" + err_file;
  Result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_file);
  fs::remove(err_file);
  return r;
}

// Runs strain with `args` (shell words) from the source folder; `env` is
// put before the command (VAR=value ...).
inline Result strain(const std::string& args, const std::string& env = "") {
  return shell((env.empty() ? "" : env + " ") + kBin + " " + args);
}

// The same, for files that also see namespace strain.
inline Result run_strain(const std::string& args, const std::string& env = "") {
  return strain(args, env);
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline const nlohmann::json* find_case(const nlohmann::json& report, const std::string& id) {
  for (const auto& c : report["cases"])
    if (c["id"] == id) return &c;
  return nullptr;
}

// A run of one of tests/integration/specs with the test plugins, and the
// JSON report it wrote (null when it wrote none, so that the test's own
// checks, not an exception, say what went wrong).
struct SpecRun {
  Result run;
  nlohmann::json report;
};

// Runs tests/integration/specs/<spec>.yaml with `extra` arguments, `env`
// before the command, and a JSON report at <kWork>/<json_name or spec>.json.
inline SpecRun run_test_spec(const std::string& spec, const std::string& extra = "",
                             const std::string& json_name = "", const std::string& env = "") {
  const std::string json = kWork + "/" + (json_name.empty() ? spec : json_name) + ".json";
  fs::remove(json);
  SpecRun out;
  out.run = strain("--plugin-path " + kTestPlugins + " run tests/integration/specs/" + spec +
                       ".yaml " + extra + (extra.empty() ? "" : " ") + "--report json:" + json,
                   env);
  if (fs::exists(json)) out.report = read_json(json);
  return out;
}

// Writes `yaml` to <kWork>/<name>.yaml and runs it with the test plugins,
// `extra` arguments and a JSON report at <kWork>/<name>.json.
inline SpecRun run_spec_text(const std::string& name, const std::string& yaml,
                             const std::string& extra = "") {
  fs::create_directories(kWork);
  const std::string spec = kWork + "/" + name + ".yaml", json = kWork + "/" + name + ".json";
  std::ofstream(spec) << yaml;
  fs::remove(json);
  SpecRun out;
  out.run = strain("--plugin-path " + kTestPlugins + " run " + spec + " " + extra +
                   (extra.empty() ? "" : " ") + "--report json:" + json);
  if (fs::exists(json)) out.report = read_json(json);
  return out;
}

// The cases of a spec that shows one behaviour both ways under controlled:
// the roles (and the threads they start) as fibers, the default, and as
// threads.
inline constexpr const char* kFibersAndThreadsCases =
    "cases:\n"
    "  - { name: fibers, expect: pass }\n"
    "  - { name: threads, expect: pass, schedule: { strategy: { fibers: false } } }\n";

// `run` exited 0 with `cases` cases, each met after all its `trials`
// trials, and (if `interleaved`) in more than one interleaving.
inline void expect_each_met(const SpecRun& run, std::size_t cases, int trials, bool interleaved) {
  EXPECT_EQ(run.run.code, 0) << run.run.out << run.run.err;
  ASSERT_EQ(run.report["cases"].size(), cases) << run.run.out << run.run.err;
  for (const auto& c : run.report["cases"]) {
    EXPECT_EQ(c["verdict"], "met") << c.dump(2);
    EXPECT_EQ(c["trials"], trials) << c.dump(2);
    if (interleaved) {
      EXPECT_GT(c["interleavings"]["distinct"].get<int>(), 1) << c.dump(2);
    }
  }
}

// A printed replay line run `times` more fails every time; what it printed.
inline Result expect_replay_fails(const std::string& replay, int times) {
  const std::string n = std::to_string(times);
  Result again = shell(replay + " --repeat " + n);
  EXPECT_NE(again.out.find("failed " + n + " of " + n + " runs"), std::string::npos)
      << replay << "\n"
      << again.out << again.err;
  return again;
}

inline bool has_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

}  // namespace strain_test
