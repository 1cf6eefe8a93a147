// The CI examples in ci/examples/, exercised as far as they can be on one
// machine: each file is parsed for the shard count and the commands it runs,
// and those commands run here with the variables GitHub Actions or
// Kubernetes would set, then the merge.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

// A folder holding `strain` (a link to the binary under test), to put first
// on PATH so the examples' commands run it by name.
std::string bin_dir() {
  const std::string dir = kWork + "/ci-bin";
  fs::create_directories(dir);
  fs::remove(dir + "/strain");
  fs::create_symlink(kBin, dir + "/strain");
  return dir;
}

// The environment shared by every command: the test plugins, and the small
// spec in place of the examples' whole spec folder.
std::string base_env(const std::string& reports) {
  return "PATH=" + bin_dir() + ":$PATH STRAIN_PLUGIN_PATH=" + kTestPlugins +
         " SPECS=tests/integration/specs/shard.yaml REPORTS=" + reports;
}

std::optional<YAML::Node> find_step(const YAML::Node& steps, const std::string& name) {
  for (const auto& s : steps)
    if (s["name"] && s["name"].as<std::string>() == name) return s;
  return std::nullopt;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Everything a whole, unsharded run of the same spec says about its cases.
nlohmann::json whole_run(const std::string& name) {
  const std::string json = kWork + "/" + name + "-whole.json";
  strain("--plugin-path " + kTestPlugins +
         " run tests/integration/specs/shard.yaml --quiet "
         "--report json:" +
         json);
  return read_json(json);
}

std::vector<std::string> verdicts(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& c : report["cases"])
    out.push_back(c["id"].get<std::string>() + " " + c["verdict"].get<std::string>());
  return out;
}

TEST(CiExamples, GithubActionsMatrixThenMerge) {
  const YAML::Node wf = YAML::LoadFile(kSrc + "/ci/examples/github-actions.yml");
  const YAML::Node shard_job = wf["jobs"]["shard"];
  const YAML::Node matrix = shard_job["strategy"]["matrix"]["shard"];
  ASSERT_TRUE(matrix.IsSequence());
  const std::size_t total = matrix.size();
  ASSERT_GE(total, 2u);
  EXPECT_EQ(shard_job["env"]["GTEST_TOTAL_SHARDS"].as<std::string>(), "${{ strategy.job-total }}");
  EXPECT_EQ(shard_job["env"]["GTEST_SHARD_INDEX"].as<std::string>(), "${{ matrix.shard }}");
  const auto run = find_step(shard_job["steps"], "Run shard");
  ASSERT_TRUE(run);
  EXPECT_EQ(wf["jobs"]["merge"]["needs"].as<std::string>(), "shard");
  const auto merge = find_step(wf["jobs"]["merge"]["steps"], "Merge");
  ASSERT_TRUE(merge);

  const std::string dir = kWork + "/gha";
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Each matrix job, with the values GitHub gives its expressions, in a
  // workspace of its own whose reports/ is then "uploaded" to the merge's.
  fs::create_directories(dir + "/merge/reports");
  for (std::size_t k = 0; k < total; ++k) {
    const std::string index = matrix[k].as<std::string>();
    const std::string ws = dir + "/shard-" + index;
    fs::create_directories(ws);
    const std::string cmd =
        replace_all((*run)["run"].as<std::string>(), "${{ matrix.shard }}", index);
    const Result r =
        shell("cp -r specs tests " + ws + "/ 2>/dev/null; cd " + ws + " && " +
              base_env(ws + "/reports") + " GTEST_TOTAL_SHARDS=" + std::to_string(total) +
              " GTEST_SHARD_INDEX=" + index + " STRAIN_COLOR=always sh -c '" + cmd + "'");
    EXPECT_LE(r.code, 1) << cmd << "\n" << r.err;
    fs::copy(ws + "/reports", dir + "/merge/reports", fs::copy_options::recursive);
  }
  const Result m = shell("cd " + dir + "/merge && " + base_env("") + " sh -c '" +
                         (*merge)["run"].as<std::string>() + " --report json:strain.json'");
  EXPECT_EQ(m.code, 1) << "shard.yaml has one unmet case\n" << m.err;
  EXPECT_TRUE(fs::exists(dir + "/merge/strain.xml"));
  EXPECT_TRUE(fs::exists(dir + "/merge/strain.html"));
  EXPECT_EQ(verdicts(read_json(dir + "/merge/strain.json")), verdicts(whole_run("gha")));
}

TEST(CiExamples, KubernetesIndexedJobThenMerge) {
  const auto docs = YAML::LoadAllFromFile(kSrc + "/ci/examples/kubernetes-indexed-job.yaml");
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node job = docs[0];
  EXPECT_EQ(job["spec"]["completionMode"].as<std::string>(), "Indexed");
  const int completions = job["spec"]["completions"].as<int>();
  ASSERT_GE(completions, 2);
  const auto command = job["spec"]["template"]["spec"]["containers"][0]["command"];
  ASSERT_EQ(command.size(), 3u);
  const std::string script = command[2].as<std::string>();
  // Each pod's --shards must be the Job's completions.
  EXPECT_NE(script.find("--shards " + std::to_string(completions)), std::string::npos) << script;
  const std::string merge_script =
      docs[1]["spec"]["template"]["spec"]["containers"][0]["command"][2].as<std::string>();

  const std::string reports = kWork + "/k8s";
  fs::remove_all(reports);
  fs::create_directories(reports);
  for (int k = 0; k < completions; ++k) {
    // Kubernetes sets JOB_COMPLETION_INDEX in each pod of an Indexed Job.
    const Result r = shell(base_env(reports) + " JOB_COMPLETION_INDEX=" + std::to_string(k) +
                           " sh -c '" + replace_all(script, "'", "'\\''") + "'");
    EXPECT_EQ(r.code, 0) << "a pod with unmet cases completes; the merge judges\n" << r.err;
  }
  const Result m = shell(base_env(reports) + " sh -c '" + replace_all(merge_script, "'", "'\\''") +
                         " --report json:$REPORTS/strain.json'");
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_TRUE(fs::exists(reports + "/strain.html"));
  EXPECT_EQ(verdicts(read_json(reports + "/strain.json")), verdicts(whole_run("k8s")));
}

}  // namespace
