#pragma once
// What the end-to-end tests share: running the real strain binary from the
// source folder, and reading its JSON report.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace cli_test {

namespace fs = std::filesystem;
inline const std::string kBin = STRAIN_BIN;
inline const std::string kSrc = STRAIN_SOURCE_DIR;
inline const std::string kTestPlugins = STRAIN_TEST_PLUGIN_DIR;
inline const std::string kBenchPlugins = STRAIN_BENCH_PLUGIN_DIR;
inline const std::string kWork = STRAIN_WORK_DIR;

struct Result {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs strain with `args` (shell words) from the source folder.
inline Result strain(const std::string& args) {
  fs::create_directories(kWork);
  const std::string err_file = kWork + "/stderr.txt";
  const std::string cmd = "cd " + kSrc + " && " + kBin + " " + args + " 2>" + err_file;
  Result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
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

}  // namespace cli_test
